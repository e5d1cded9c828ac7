package io.slipway.deploy.cluster;

import static io.slipway.deploy.cluster.ClusterRows.hostsOf;
import static io.slipway.deploy.cluster.ClusterRows.now;
import static io.slipway.deploy.cluster.ClusterRows.sequence;
import static io.slipway.deploy.cluster.ClusterRows.session;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.NotFound;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.deploy.cluster.OperationRequest.DesiredHost;
import io.slipway.deploy.clusterfile.InfraSpec;
import io.slipway.events.deploy.ClusterRequested;
import io.slipway.events.deploy.PoolWanted;
import io.slipway.events.deploy.WantedRole;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Admits operation requests to the Cluster aggregate: refuses one the cluster cannot take now, answers one that changes
 * nothing, and otherwise makes it the cluster's pending operation, with its host rows and {@code ClusterRequested}
 * (and {@code PoolWanted} when the hosts come from a pool) in one transaction.
 */
@ApplicationScoped
public class ClusterAdmission {
    private final Outbox outbox;

    ClusterAdmission(Outbox outbox) {
        this.outbox = outbox;
    }

    /** The result of a request: the cluster as it is now, and false when the request changed nothing. */
    public record Requested(ClusterView view, boolean changed) {
    }

    @WithTransaction
    public Uni<Requested> admit(OperationRequest r, EventContext context) {
        return session().chain(s -> s.find(Cluster.class, r.cluster())
                .chain(existing -> hostsOf(s, r.cluster()).chain(hosts -> admit(s, r, existing, hosts, context))));
    }

    private Uni<Requested> admit(Mutiny.Session s, OperationRequest r, Cluster existing, List<ClusterHostRecord> hosts,
                                 EventContext context) {
        boolean live = existing != null && existing.state != Cluster.State.Deleted;
        if (existing != null && r.requestId() != null && r.requestId().equals(existing.requestId)) {
            return unchanged(existing, hosts); // CI's command delivered again
        }
        refuseIfImpossible(r, existing, live);
        if (changesNothing(r, existing, live, hosts)) {
            return unchanged(existing, hosts);
        }
        return record(s, r, existing, live, hosts, context);
    }

    private static void refuseIfImpossible(OperationRequest r, Cluster existing, boolean live) {
        if (live && existing.pending && !(r.operation() == ClusterOperation.DELETE && existing.awaitingPool != null)) {
            // a cluster still waiting for its pool can be deleted: nothing is installed, and infra-svc releases the pool
            throw new OperationInProgress(r.cluster(), existing.operation);
        }
        if (!creates(r) && !live) {
            throw NotFound.of("cluster", r.cluster());
        }
    }

    /** Applying the Clusterfile a Ready cluster already has, with every host a member. */
    private static boolean changesNothing(OperationRequest r, Cluster existing, boolean live, List<ClusterHostRecord> hosts) {
        return creates(r) && live && existing.state == Cluster.State.Ready && r.clusterfile().equals(existing.clusterfile)
                && hosts.stream().allMatch(h -> h.state == ClusterHostRecord.State.Member);
    }

    private static boolean creates(OperationRequest r) {
        return r.operation() == ClusterOperation.RUN || r.operation() == ClusterOperation.APPLY;
    }

    private static Uni<Requested> unchanged(Cluster existing, List<ClusterHostRecord> hosts) {
        return Uni.createFrom().item(new Requested(ClusterView.of(existing, hosts, false), false));
    }

    private Uni<Requested> record(Mutiny.Session s, OperationRequest r, Cluster existing, boolean live, List<ClusterHostRecord> hosts,
                                  EventContext context) {
        Cluster c = existing != null ? existing : new Cluster();
        if (existing != null && existing.state == Cluster.State.Deleted) {
            c.imageDigest = null;
        }
        makePending(c, r, live, context);
        List<Uni<?>> writes = new ArrayList<>();
        List<ClusterHostRecord> kept = live ? hosts : forgetHosts(s, c.name, hosts, writes);
        placeDesiredHosts(s, c, r, kept, writes);
        ClusterRequested event = requested(c, r);
        Uni<Void> persistCluster = existing == null ? s.persist(c) : Uni.createFrom().voidItem();
        return persistCluster.chain(() -> sequence(writes))
                .chain(() -> s.flush())
                .chain(() -> outbox.append(c.name, event, context))
                .chain(() -> r.pool() == null ? Uni.createFrom().voidItem()
                        : outbox.append(c.name, poolWanted(c, r.pool()), context).replaceWithVoid())
                .chain(() -> hostsOf(s, c.name))
                .map(all -> new Requested(ClusterView.of(c, all, true), true));
    }

    /** The request becomes the cluster's pending operation, for the next worker to claim (or the pool to arrive). */
    private static void makePending(Cluster c, OperationRequest r, boolean live, EventContext context) {
        c.name = r.cluster();
        c.state = stateFor(r, live ? c : null);
        c.message = r.pool() == null ? r.operation().label() + " requested"
                : "waiting for pool " + r.cluster() + (live ? " to grow" : "") + " from infra-svc (provider " + r.pool().describe() + ")";
        c.awaitingPool = r.pool() == null ? null : r.cluster();
        c.image = r.image();
        c.generation++;
        c.operation = r.operation();
        c.operationHosts = String.join(",", r.hosts());
        c.operationForce = r.force();
        c.pending = true;
        c.worker = null;
        c.clusterfile = r.clusterfile();
        c.requestId = r.requestId();
        c.requestedBy = r.requestedBy();
        c.correlationId = context.correlationId();
        c.traceparent = context.traceparent();
        c.updatedAt = now();
    }

    private static Cluster.State stateFor(OperationRequest r, Cluster live) {
        return switch (r.operation()) {
            case DELETE -> Cluster.State.Deleting;
            case JOIN, REMOVE, RESET -> Cluster.State.Scaling;
            default -> live == null || live.imageDigest == null ? Cluster.State.Installing
                    : Objects.equals(live.image, r.image()) ? Cluster.State.Scaling : Cluster.State.Upgrading;
        };
    }

    /** A cluster created again (none, or deleted) starts without the host and step rows of its former life. */
    private static List<ClusterHostRecord> forgetHosts(Mutiny.Session s, String cluster, List<ClusterHostRecord> hosts, List<Uni<?>> writes) {
        hosts.forEach(h -> writes.add(s.remove(h)));
        writes.add(s.createMutationQuery("delete from HostStepRecord where cluster = :c").setParameter("c", cluster).executeUpdate());
        return List.of();
    }

    /** Gives each desired host its row (new ones in Pending, or Joining for a join) and its place in the Clusterfile. */
    private static void placeDesiredHosts(Mutiny.Session s, Cluster c, OperationRequest r, List<ClusterHostRecord> hosts,
                                          List<Uni<?>> writes) {
        Map<String, ClusterHostRecord> byIp = new HashMap<>();
        hosts.forEach(h -> byIp.put(h.ip, h));
        int position = 0;
        for (DesiredHost d : r.desiredHosts()) {
            ClusterHostRecord h = byIp.get(d.ip());
            if (h == null) {
                h = ClusterHostRecord.of(c.name, d.ip(), d.roles(), position,
                        r.operation() == ClusterOperation.JOIN ? ClusterHostRecord.State.Joining : ClusterHostRecord.State.Pending, now());
                writes.add(s.persist(h));
            }
            h.roles = String.join(",", d.roles());
            h.position = position++;
        }
    }

    private static ClusterRequested requested(Cluster c, OperationRequest r) {
        return ClusterRequested.newBuilder().setCluster(c.name).setImage(Objects.requireNonNullElse(r.image(), ""))
                .setMasters(r.desiredHosts().stream().filter(DesiredHost::master).map(DesiredHost::ip).toList())
                .setNodes(r.desiredHosts().stream().filter(d -> !d.master()).map(DesiredHost::ip).toList())
                .setRequestedBy(r.requestedBy()).setRequestedAt(c.updatedAt).setOperation(r.operation().label())
                .setGeneration(c.generation).setClusterfile(r.maskedClusterfile()).build();
    }

    private static PoolWanted poolWanted(Cluster c, InfraSpec infra) {
        return PoolWanted.newBuilder().setCluster(c.name).setGeneration(c.generation).setPoolId(c.name).setProvider(infra.provider())
                .setRoles(infra.roles().stream().map(r -> WantedRole.newBuilder().setRole(r.role()).setCount(r.count())
                        .setSize(r.size()).setImage(r.image()).build()).toList())
                .setRequestedBy(Objects.requireNonNullElse(c.requestedBy, "")).setAt(c.updatedAt).build();
    }
}
