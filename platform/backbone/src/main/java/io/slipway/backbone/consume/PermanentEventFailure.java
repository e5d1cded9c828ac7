package io.slipway.backbone.consume;

/**
 * An event no retry can fix (invalid content), or one that still failed after the last attempt: it goes to the
 * dead-letter topic with this message as the reason.
 */
public class PermanentEventFailure extends RuntimeException {
    public PermanentEventFailure(String message) {
        super(message);
    }

    public PermanentEventFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
