package io.slipway.imagescan;

/** Thrown by {@link ImageName} for text that is not a valid image reference; the reason says which part is wrong. */
public final class InvalidImageNameException extends IllegalArgumentException {

    private final String reference;
    private final String reason;

    public InvalidImageNameException(String reference, String reason) {
        super("invalid image reference \"" + reference + "\": " + reason);
        this.reference = reference;
        this.reason = reason;
    }

    /** The text that was parsed. */
    public String reference() {
        return reference;
    }

    /** What is wrong with it, without the reference itself. */
    public String reason() {
        return reason;
    }
}
