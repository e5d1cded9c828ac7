package io.slipway.testkit.ec2;

/** One instance in TerminateInstances' answer. */
public record Termination(String instanceId, InstanceState previousState, InstanceState currentState) {
}
