package io.slipway.provision.aws;

import io.slipway.provision.NodeState;
import java.util.List;

/** EC2's instance state names folded into {@link NodeState}. */
public final class Ec2States {
    /** The states a pooled listing asks for: everything not terminated. */
    public static final List<String> NOT_TERMINATED = List.of("pending", "running", "shutting-down", "stopping", "stopped");

    private Ec2States() {
    }

    public static NodeState of(String stateName) {
        return switch (stateName) {
            case "pending" -> NodeState.PENDING;
            case "running" -> NodeState.RUNNING;
            case "terminated" -> NodeState.TERMINATED;
            // a stopped instance is not one Slipway can use; it is on its way out as far as a pool is concerned
            default -> NodeState.SHUTTING_DOWN;
        };
    }
}
