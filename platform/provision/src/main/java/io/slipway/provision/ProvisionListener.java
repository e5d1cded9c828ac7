package io.slipway.provision;

import java.util.List;

/**
 * What a provisioning run tells its owner, in order. infra-svc turns each call into state and an event in one
 * transaction; {@link #creating} in particular must be durable when it returns, because it is what lets a restarted
 * run repeat the create under the same token instead of making new nodes.
 */
public interface ProvisionListener {

    /** Before the create call goes out; durable on return (the token is how a crash is survived). */
    void creating(CreateRequest request);

    /** The create answered with these nodes (pending). */
    void created(CreateRequest request, List<ProviderNode> nodes);

    /** Fewer nodes than asked could be made now; they are retried under a new token after a backoff. */
    void shortfall(CreateRequest request, int missing, String reason);

    /** The provider reports the node running, with its address. */
    void running(ProviderNode node);

    /** The node's SSH server answered, presenting {@code hostKey} (OpenSSH public key line), which deploy-svc pins. */
    void ready(ProviderNode node, String hostKey);

    /** The node failed for good (terminated while booting, never answered SSH); the run replaces it. */
    void failed(ProviderNode node, String reason);

    /** Every node the plan wants is ready. */
    void poolReady(List<ProviderNode> nodes);
}
