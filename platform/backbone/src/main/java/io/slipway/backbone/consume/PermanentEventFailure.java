package io.slipway.backbone.consume;

/**
 * An event no retry can fix (invalid content), or one that still failed after the last attempt: it goes to the
 * dead-letter topic with this message as the reason.
 */
public class PermanentEventFailure extends RuntimeException {
    private final boolean withholdPayload;

    public PermanentEventFailure(String message) {
        super(message);
        this.withholdPayload = false;
    }

    private PermanentEventFailure(String message, boolean withholdPayload) {
        super(message);
        this.withholdPayload = withholdPayload;
    }

    /**
     * A failure whose record must not be copied to the dead-letter topic (it carries a secret where a reference was
     * due): the dead letter keeps key, headers and reason, and no value; {@link #withheld(Throwable)} finds it.
     */
    public static PermanentEventFailure withholdingPayload(String message) {
        return new PermanentEventFailure(message, true);
    }

    /** Whether {@code failure} or one of its causes asks for the record's value to be withheld from the dead letter. */
    public static boolean withheld(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PermanentEventFailure p && p.withholdPayload) {
                return true;
            }
        }
        return false;
    }

    public PermanentEventFailure(String message, Throwable cause) {
        super(message, cause);
        this.withholdPayload = false;
    }
}
