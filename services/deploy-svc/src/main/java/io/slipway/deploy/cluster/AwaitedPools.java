package io.slipway.deploy.cluster;

import static io.slipway.deploy.cluster.ClusterRows.bound;
import static io.slipway.deploy.cluster.ClusterRows.hostsOf;
import static io.slipway.deploy.cluster.ClusterRows.now;
import static io.slipway.deploy.cluster.ClusterRows.sequence;
import static io.slipway.deploy.cluster.ClusterRows.session;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.events.deploy.ClusterDegraded;
import io.slipway.events.deploy.ClusterFailed;
import io.slipway.events.deploy.HostProblem;
import io.slipway.events.deploy.PoolAssigned;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The end of a cluster's wait for its pool from infra-svc ({@code spec.infra}): the nodes are handed over and become
 * hosts, or the pool failed and the cluster says so. Each ending commits with its event.
 */
@ApplicationScoped
public class AwaitedPools {
    private final Outbox outbox;

    AwaitedPools(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * The pool a cluster waited for is ready: {@code fill} gives its stored Clusterfile with the pool's nodes as hosts
     * (it may throw {@link PoolUnusable}), their rows are made, and the pending operation can be claimed. Answers
     * false, changing nothing, when no cluster waits for {@code poolId} (deleted meanwhile, or the event came again).
     */
    @WithTransaction
    public Uni<Boolean> assigned(String poolId, UnaryOperator<Clusterfile> fill, EventContext context) {
        return session().chain(s -> s.find(Cluster.class, poolId).chain(c -> hostsOf(s, poolId).chain(hosts -> {
            if (c == null || !poolId.equals(c.awaitingPool)) {
                return Uni.createFrom().item(false);
            }
            Clusterfile filled = fill.apply(Clusterfile.stored(c.clusterfile));
            Instant at = now();
            c.clusterfile = filled.toYaml();
            c.awaitingPool = null;
            c.message = c.operation.label() + " onto pool " + poolId + " (" + filled.hosts().size() + " node(s))";
            c.updatedAt = at;
            List<Uni<?>> writes = newHostRows(s, c, hosts, filled, at);
            PoolAssigned event = PoolAssigned.newBuilder().setCluster(c.name).setGeneration(c.generation).setPoolId(poolId)
                    .setMasters(filled.masters().stream().map(h -> h.ip()).toList())
                    .setNodes(filled.nodes().stream().map(h -> h.ip()).toList()).setAt(at).build();
            return sequence(writes).chain(() -> s.flush()).chain(() -> outbox.append(c.name, event, context)).replaceWith(true);
        })));
    }

    /** Rows for the nodes that are not hosts yet, after those that are; a grown pool's known nodes keep their rows. */
    private static List<Uni<?>> newHostRows(Mutiny.Session s, Cluster c, List<ClusterHostRecord> hosts, Clusterfile filled, Instant at) {
        List<Uni<?>> writes = new ArrayList<>();
        Set<String> known = new HashSet<>();
        hosts.forEach(h -> known.add(h.ip));
        int position = hosts.size();
        for (var h : filled.hosts()) {
            if (known.contains(h.ip())) {
                continue;
            }
            writes.add(s.persist(ClusterHostRecord.of(c.name, h.ip(), h.roles(), position++, ClusterHostRecord.State.Pending, at)));
        }
        return writes;
    }

    /**
     * The pool a cluster waited for failed (or cannot be used): a new cluster fails with the reason; a live one whose pool
     * could not grow is Degraded and keeps its nodes. Answers the cluster's state, or null when no cluster waits.
     */
    @WithTransaction
    public Uni<Cluster.State> failed(String poolId, String reason, EventContext context) {
        return session().chain(s -> s.find(Cluster.class, poolId).chain(c -> {
            if (c == null || !poolId.equals(c.awaitingPool)) {
                return Uni.createFrom().nullItem();
            }
            Clusterfile stored = Clusterfile.stored(c.clusterfile);
            c.pending = false;
            c.awaitingPool = null;
            c.updatedAt = now();
            if (stored.awaitsPool()) {
                c.state = Cluster.State.Failed;
                c.message = bound("pool " + poolId + " failed: " + reason + " (delete the cluster, then apply again)");
                return outbox.append(c.name, ClusterFailed.newBuilder().setCluster(c.name).setGeneration(c.generation)
                        .setReason(c.message).setAt(c.updatedAt).build(), context).replaceWith(c.state);
            }
            // a live cluster's pool could not grow: it keeps the nodes it has, and its Clusterfile says so again
            c.clusterfile = stored.withInfraOfItsHosts().toYaml();
            c.state = Cluster.State.Degraded;
            c.message = bound("pool " + poolId + " could not grow: " + reason + "; the cluster keeps its " + stored.hosts().size()
                    + " node(s)");
            return outbox.append(c.name, ClusterDegraded.newBuilder().setCluster(c.name).setGeneration(c.generation)
                    .setProblems(List.of(HostProblem.newBuilder().setHost("").setStep("pool").setReason(c.message).build()))
                    .setAt(c.updatedAt).build(), context).replaceWith(c.state);
        }));
    }
}
