package io.slipway.backbone.consume;

/**
 * Why a record goes to the dead-letter topic, worded for the {@code dead-letter-reason} header: a record that is no
 * event, an event no retry can fix, or one that still failed after the last attempt.
 */
final class DeadLetterReason extends RuntimeException {
    DeadLetterReason(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }
}
