package io.slipway.oci.registry;

import java.io.IOException;

/**
 * A registry operation that failed, saying where (registry, repository), during which step, with the HTTP status and
 * the distribution error code when the registry sent one. Never carries credentials or tokens.
 */
public class RegistryException extends IOException {

    private final String registry;
    private final String repository;
    private final String step;
    private final int status;
    private final String code;
    private final boolean transientFault;

    public RegistryException(String registry, String repository, String step, int status, String code, String detail,
                             boolean transientFault, Throwable cause) {
        super(message(registry, repository, step, status, code, detail), cause);
        this.registry = registry;
        this.repository = repository;
        this.step = step;
        this.status = status;
        this.code = code;
        this.transientFault = transientFault;
    }

    private static String message(String registry, String repository, String step, int status, String code, String detail) {
        StringBuilder m = new StringBuilder(step).append(" failed at registry ").append(registry);
        if (repository != null) {
            m.append(", repository ").append(repository);
        }
        m.append(": ");
        if (status > 0) {
            m.append("HTTP ").append(status).append(' ');
        }
        if (code != null) {
            m.append(code).append(' ');
        }
        return m.append(detail == null ? "" : detail).toString().trim();
    }

    public String registry() {
        return registry;
    }

    public String repository() {
        return repository;
    }

    public String step() {
        return step;
    }

    /** The HTTP status, or 0 when no response came (connection, TLS or I/O failure). */
    public int status() {
        return status;
    }

    /** The distribution error code ({@code BLOB_UNKNOWN}, {@code UNAUTHORIZED}, {@code DENIED}, ...), or null. */
    public String code() {
        return code;
    }

    /** True for faults worth retrying later (connection errors, 5xx, 429); false for what retrying cannot fix. */
    public boolean isTransient() {
        return transientFault;
    }

    public boolean isNotFound() {
        return status == 404;
    }

    public boolean isUnauthorized() {
        return status == 401 || status == 403;
    }

    /** The waiting thread was interrupted; the operation was abandoned. */
    public static final class Interrupted extends RegistryException {
        public Interrupted() {
            super("(local)", null, "waiting", 0, null, "interrupted", false, null);
        }
    }
}
