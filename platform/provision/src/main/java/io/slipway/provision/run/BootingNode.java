package io.slipway.provision.run;

import io.slipway.provision.NodeState;
import io.slipway.provision.ProviderNode;
import java.time.Instant;

/** A node of a run that is not ready yet: its latest view, when its create answered, what describes said of it. */
final class BootingNode {
    ProviderNode node;
    final RoleState role;
    final Instant createdAt;
    boolean seenByDescribe;
    Instant runningAt;
    String lastSshError;

    BootingNode(ProviderNode node, RoleState role, Instant createdAt) {
        this.node = node;
        this.role = role;
        this.createdAt = createdAt;
    }

    boolean running() {
        return runningAt != null;
    }

    /**
     * When it was launched, by the provider's word where it gives one: after a restart that is the first run's
     * launch, not the repeated create's answer.
     */
    Instant launchedAt() {
        return node.launchedAt() != null && !node.launchedAt().isAfter(createdAt) ? node.launchedAt() : createdAt;
    }

    boolean terminal() {
        return node.state() == NodeState.SHUTTING_DOWN || node.state() == NodeState.TERMINATED;
    }
}
