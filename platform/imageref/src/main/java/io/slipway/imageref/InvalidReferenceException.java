package io.slipway.imageref;

/**
 * Thrown by {@link ImageReference} for text that is not a valid image reference: the reason says what is wrong, and
 * {@link #part()} with {@link #value()} say where, so a caller can word the error its own way.
 */
public final class InvalidReferenceException extends IllegalArgumentException {

    /** The part of a reference a problem lies in. */
    public enum Part {
        /** the text as a whole: empty, or holding whitespace */
        REFERENCE,
        /** the registry host and port */
        REGISTRY,
        /** the repository as a whole: missing, or too long with its registry */
        REPOSITORY,
        /** one slash-separated component of the repository */
        PATH_COMPONENT,
        TAG,
        DIGEST
    }

    private final String reference;
    private final Part part;
    private final String value;
    private final String reason;

    public InvalidReferenceException(String reference, Part part, String value, String reason) {
        super("invalid image reference \"" + reference + "\": " + reason);
        this.reference = reference;
        this.part = part;
        this.value = value;
        this.reason = reason;
    }

    /** The text that was parsed. */
    public String reference() {
        return reference;
    }

    public Part part() {
        return part;
    }

    /** The text of the part that is wrong, for example the tag or the offending path component. */
    public String value() {
        return value;
    }

    /** What is wrong, without the reference itself. */
    public String reason() {
        return reason;
    }

    /** The same problem, quoting {@code whole} (what the user wrote) instead of the part that was checked. */
    InvalidReferenceException in(String whole) {
        return new InvalidReferenceException(whole, part, value, reason);
    }
}
