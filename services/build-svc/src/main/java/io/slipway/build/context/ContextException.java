package io.slipway.build.context;

import java.io.IOException;

/** A build context that cannot be used, with the reason a user can act on. */
public class ContextException extends IOException {
    public ContextException(String message) {
        super(message);
    }
}
