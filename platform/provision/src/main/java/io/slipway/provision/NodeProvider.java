package io.slipway.provision;

import java.util.Collection;
import java.util.List;

/**
 * Where nodes come from: a cloud account and region, a pool of existing machines, this machine. One instance serves
 * every pool of one provider configuration; implementations are thread-safe.
 *
 * <p>The contract every provider keeps, because crash safety rests on it:
 * <ul>
 *   <li>{@link #create} is idempotent on {@link CreateRequest#token()}: a second call with the same token (after a
 *       timeout, a crash, a restart) answers the nodes the first call made and makes none;</li>
 *   <li>{@link #describe} never reports a node it cannot see yet as gone: it lists it under
 *       {@link Described#unknown()}, and callers never read that as "create again";</li>
 *   <li>every node carries its pool id, role and token in the provider's own records (cloud tags, a claim file), so
 *       {@link #listPooled()} finds nodes a crashed caller never recorded.</li>
 * </ul>
 * Failures are {@link ProviderException}s whose {@link ProviderException.Kind} tells the caller whether to back off
 * and retry or to fail the request.
 */
public interface NodeProvider extends AutoCloseable {

    /** The provider's kind, as a Clusterfile's {@code infra.provider} names it: {@code local}, {@code static}, {@code aws}, {@code simulated}. */
    String kind();

    /**
     * The account and region whose request quota this provider's calls spend: providers answering the same key share one
     * token bucket, so two configurations of one account pace together. The key names no secret. By default the kind
     * (one machine's local hosts, one set of static machines: no quota to share).
     */
    default String paceKey() {
        return kind();
    }

    /**
     * Creates up to {@link CreateRequest#count()} nodes of one shape. May create fewer when capacity runs short: the
     * answer says how many are missing and why; the caller retries those later under a new token.
     */
    Created create(CreateRequest request);

    /** The current state of these nodes, in as few calls as the provider allows (EC2: up to 100 ids a call). */
    Described describe(Collection<String> nodeIds);

    /** Every node this provider holds for any pool (alive or shutting down), for the reaper and for resuming. */
    List<ProviderNode> listPooled();

    /** Releases the nodes (terminate, unclaim, tear down); releasing a node that is already gone is not an error. */
    void release(Collection<String> nodeIds);

    /** How Slipway logs in to this provider's nodes over SSH. */
    SshLogin login();

    /** How Slipway logs in to one node: {@link #login()} unless the provider's machines differ (a static pool's may). */
    default SshLogin login(String nodeId) {
        return login();
    }

    @Override
    default void close() {
    }
}
