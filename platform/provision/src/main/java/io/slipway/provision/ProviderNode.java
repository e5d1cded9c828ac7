package io.slipway.provision;

import java.time.Instant;
import java.util.Objects;

/**
 * One node as its provider reports it.
 *
 * @param id          the provider's id (EC2 instance id, static host name, local host name)
 * @param poolId      the pool it belongs to (from its tags)
 * @param role        its role in the pool (from its tags)
 * @param token       the idempotency token of the create that made it
 * @param launchIndex its index within that create (0-based), so a caller maps nodes to ordinals the same way every time
 * @param state       its state
 * @param address     the address Slipway reaches it at (private IP); null until known
 * @param sshPort     the port its SSH server listens on
 * @param launchedAt  when the provider launched it
 * @param stateReason why it left the running states, when it did (e.g. {@code Server.InternalError}); else null
 */
public record ProviderNode(String id, String poolId, String role, String token, int launchIndex, NodeState state,
                           String address, int sshPort, Instant launchedAt, String stateReason) {
    public ProviderNode {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
    }

    public ProviderNode withState(NodeState newState, String reason) {
        return new ProviderNode(id, poolId, role, token, launchIndex, newState, address, sshPort, launchedAt, reason);
    }
}
