package io.slipway.backbone.consume;

/** Thrown by a listener for an event no retry can fix (invalid content): it goes to the dead-letter topic at once. */
public class PermanentEventFailure extends RuntimeException {
    public PermanentEventFailure(String message) {
        super(message);
    }
}
