package io.slipway.cli;

/** A failure the user can act on: printed as its message alone, without a stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
