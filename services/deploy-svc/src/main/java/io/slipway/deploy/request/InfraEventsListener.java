package io.slipway.deploy.request;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.IdempotentConsumer;
import io.slipway.deploy.cluster.Cluster;
import io.slipway.deploy.cluster.ClusterProgress;
import io.slipway.deploy.cluster.ClusterProgress.ProgressEvent;
import io.slipway.deploy.cluster.AwaitedPools;
import io.slipway.deploy.cluster.Clusters;
import io.slipway.deploy.cluster.PoolUnusable;
import io.slipway.deploy.operation.DeployWorker;
import io.slipway.deploy.operation.PoolHandover;
import io.slipway.events.infra.PoolFailed;
import io.slipway.events.infra.PoolReady;
import io.slipway.events.infra.PoolRefused;
import io.slipway.events.infra.ReadyNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The hand-off from infra-svc: a cluster whose Clusterfile has an infra section waits until its pool's
 * {@code PoolReady} arrives on {@code slipway.infra.events}; then the nodes' host keys are pinned from infra-svc's
 * record (read by the provisioner when the node first answered SSH, so the install never trusts a first answer), the
 * nodes become the cluster's hosts, and a worker installs. {@code PoolFailed} (provisioning gave up) and
 * {@code PoolRefused} (the pool could never be made) fail the waiting cluster with their reason.
 * Every other infra event is none of deploy-svc's business.
 */
@ApplicationScoped
public class InfraEventsListener {
    private static final Logger LOG = Logger.getLogger(InfraEventsListener.class);

    /** The channel, configured in application.properties (topic slipway.infra.events, group {@code deploy-svc.infra}). */
    static final String CHANNEL = "infra-events";

    private final Clusters clusters;
    private final AwaitedPools pools;
    private final DeployWorker worker;
    private final ClusterProgress progress;
    private final IdempotentConsumer consumer;

    InfraEventsListener(Clusters clusters, AwaitedPools pools, DeployWorker worker, ClusterProgress progress, IdempotentConsumer consumer) {
        this.clusters = clusters;
        this.pools = pools;
        this.worker = worker;
        this.progress = progress;
        this.consumer = consumer;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        return consumer.consume(CHANNEL, record, this::apply);
    }

    Uni<Void> apply(ConsumedEvent event) {
        EventContext context = EventContext.causedBy(event);
        return switch (event.eventType()) {
            case "PoolReady" -> ready(event.as(PoolReady.class), context);
            case "PoolFailed" -> {
                PoolFailed failed = event.as(PoolFailed.class);
                yield failed(failed.getPoolId(), failed.getReason(), context);
            }
            case "PoolRefused" -> {
                PoolRefused refused = event.as(PoolRefused.class);
                yield failed(refused.getPoolId(), refused.getReason(), context);
            }
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> ready(PoolReady ready, EventContext context) {
        String poolId = ready.getPoolId();
        List<PoolHandover.Node> nodes = ready.getNodes().stream().map(InfraEventsListener::node).toList();
        return clusters.find(poolId).chain(c -> {
            if (c == null || !poolId.equals(c.awaitingPool)) {
                return Uni.createFrom().item(false); // no cluster waits for it: a pool made by someone else, or deleted meanwhile
            }
            // pinned before the nodes become hosts, so the first connection already checks them
            for (ReadyNode n : ready.getNodes()) {
                worker.pinHostKey(n.getAddress(), n.getSshPort(), n.getHostKey());
            }
            return pools.assigned(poolId, stored -> PoolHandover.fill(stored, nodes), context)
                    .onFailure(PoolUnusable.class).recoverWithUni(e -> failed(poolId, e.getMessage(), context).replaceWith(false));
        }).invoke(assigned -> {
            if (assigned) {
                LOG.infof("cluster %s: pool ready with %d node(s), installing", poolId, nodes.size());
                progress.publish(new ProgressEvent(poolId, null, null, Cluster.State.Installing.name(), "pool " + poolId + " is ready: "
                        + nodes.size() + " node(s)", Instant.now()));
                worker.wake();
            }
        }).replaceWithVoid();
    }

    private Uni<Void> failed(String poolId, String reason, EventContext context) {
        return pools.failed(poolId, reason, context).invoke(state -> {
            if (state != null) {
                LOG.warnf("cluster %s is %s: its pool failed: %s", poolId, state, reason);
                progress.publish(new ProgressEvent(poolId, null, null, state.name(), "pool " + poolId + " failed: " + reason, Instant.now()));
            }
        }).replaceWithVoid();
    }

    private static PoolHandover.Node node(ReadyNode n) {
        return new PoolHandover.Node(n.getNodeId(), n.getRole(), n.getAddress(), n.getSshPort(), n.getUser(), n.getKeyFile());
    }
}
