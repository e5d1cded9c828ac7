package io.slipway.testkit.ec2;

/**
 * An EC2 API error as the service answers it: its code ({@code RequestLimitExceeded}, {@code InvalidInstanceID.NotFound},
 * ...), message and HTTP status. {@link #applied()} marks the simulated fault where the service did the work and the
 * answer was lost on the way (a timeout the client sees after a create succeeded): the HTTP endpoint answers it with
 * a failure, the simulated provider throws it as a timeout, and the state change stays.
 */
public final class Ec2Error extends RuntimeException {
    private final String code;
    private final int httpStatus;
    private final boolean applied;

    public Ec2Error(String code, int httpStatus, String message) {
        this(code, httpStatus, message, false);
    }

    private Ec2Error(String code, int httpStatus, String message, boolean applied) {
        super(message, null, false, false);
        this.code = code;
        this.httpStatus = httpStatus;
        this.applied = applied;
    }

    /** The answer to a call the service performed but whose response the client never gets. */
    static Ec2Error responseLost(String action) {
        return new Ec2Error("RequestTimeout", 503, action + " was performed but its response was lost (simulated timeout)", true);
    }

    /** The answer to a call that never reached the service: nothing was done, yet the client sees the same timeout. */
    static Ec2Error requestLost(String action) {
        return new Ec2Error("RequestTimeout", 503, action + " never reached the service (simulated timeout)", false);
    }

    /** Whether the client sees no answer at all (a timeout), whether or not the call took effect. */
    public boolean timeout() {
        return "RequestTimeout".equals(code);
    }

    static Ec2Error client(String code, String message) {
        return new Ec2Error(code, 400, message);
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public boolean applied() {
        return applied;
    }

    /** 5xx answers and lost responses: the client cannot tell whether the call took effect. */
    public boolean serverSide() {
        return httpStatus >= 500;
    }
}
