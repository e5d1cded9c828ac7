package io.slipway.provision.run;

/**
 * A provisioning run or a release that cannot finish: the provider rejected a request for good (its code says why),
 * or the deadline passed with nodes missing. The message names the pool, the role and what is missing.
 */
public class ProvisioningException extends RuntimeException {
    private final String poolId;
    private final String role;
    private final String code;

    public ProvisioningException(String poolId, String role, String code, String message, Throwable cause) {
        super(message, cause);
        this.poolId = poolId;
        this.role = role;
        this.code = code;
    }

    /** The pool the run was for. */
    public String poolId() {
        return poolId;
    }

    /** The role whose request failed, or null when the failure is the pool's (a deadline, a release). */
    public String role() {
        return role;
    }

    /** The provider's error code when the provider refused, else null. */
    public String code() {
        return code;
    }
}
