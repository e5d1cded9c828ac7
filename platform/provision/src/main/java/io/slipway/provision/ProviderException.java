package io.slipway.provision;

/**
 * A provider call that failed, with what the caller should do about it. {@link #code()} is the provider's own error
 * code (EC2's {@code RequestLimitExceeded}, {@code InsufficientInstanceCapacity}, ...); messages never carry
 * credentials.
 */
public class ProviderException extends RuntimeException {

    /** What a failure means for the caller. */
    public enum Kind {
        /** The provider refused for rate: back off (longer), retry. */
        THROTTLED(true),
        /** A fault that may pass (5xx, timeout, connection reset): back off, retry the same call (same token). */
        TRANSIENT(true),
        /** Not enough machines of that shape now: retry later, report what is missing meanwhile. */
        CAPACITY(true),
        /** The request is wrong (unknown size or image, parameters that do not match an earlier token): fail it. */
        INVALID(false),
        /** The credentials are wrong or lack a permission: fail it. */
        AUTH(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Kind kind;
    private final String code;

    public ProviderException(Kind kind, String code, String message) {
        this(kind, code, message, null);
    }

    public ProviderException(Kind kind, String code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return kind.retryable();
    }
}
