package io.slipway.testkit.ec2;

/** EC2's instance states with their API codes (the simulation never stops instances, only terminates them). */
public enum InstanceState {
    PENDING(0, "pending"),
    RUNNING(16, "running"),
    SHUTTING_DOWN(32, "shutting-down"),
    TERMINATED(48, "terminated");

    private final int code;
    private final String apiName;

    InstanceState(int code, String apiName) {
        this.code = code;
        this.apiName = apiName;
    }

    public int code() {
        return code;
    }

    /** The name the API uses ({@code shutting-down}), also in the {@code instance-state-name} filter. */
    public String apiName() {
        return apiName;
    }

    public boolean alive() {
        return this == PENDING || this == RUNNING;
    }
}
