package io.slipway.deploy.cluster;

import static io.slipway.deploy.cluster.ClusterRows.bound;
import static io.slipway.deploy.cluster.ClusterRows.context;
import static io.slipway.deploy.cluster.ClusterRows.forgetSteps;
import static io.slipway.deploy.cluster.ClusterRows.hostsOf;
import static io.slipway.deploy.cluster.ClusterRows.now;
import static io.slipway.deploy.cluster.ClusterRows.sequence;
import static io.slipway.deploy.cluster.ClusterRows.session;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Ends an operation: its {@link OperationOutcome} applied to the host rows and the cluster, which is no longer pending,
 * with the events that say what happened ({@link OutcomeEvents}), in one transaction.
 */
@ApplicationScoped
public class OperationOutcomes {
    private final Outbox outbox;

    OperationOutcomes(Outbox outbox) {
        this.outbox = outbox;
    }

    /** The cluster's hosts after an outcome, and those of them that became members. */
    record HostChanges(List<ClusterHostRecord> remaining, List<ClusterHostRecord> joined) {
    }

    /** Applies an operation's outcome: host rows, the cluster's state, and the events that say what happened. */
    @WithTransaction
    public Uni<ClusterView> finish(String cluster, long generation, String worker, OperationOutcome o) {
        return session().chain(s -> s.find(Cluster.class, cluster).chain(c -> hostsOf(s, cluster).chain(hosts -> {
            if (c == null || c.generation != generation) {
                return Uni.createFrom().failure(new IllegalStateException("cluster " + cluster + " moved past generation " + generation));
            }
            if (!worker.equals(c.worker)) {
                return Uni.createFrom().failure(new ClaimLost(cluster, worker, c.worker));
            }
            return finish(s, c, hosts, o);
        })));
    }

    private Uni<ClusterView> finish(Mutiny.Session s, Cluster c, List<ClusterHostRecord> hosts, OperationOutcome o) {
        Instant at = now();
        List<Uni<?>> writes = new ArrayList<>();
        HostChanges changes = applyToHosts(s, c.name, hosts, o, at, writes);
        // read before the outcome's Clusterfile replaces it: a deleted cluster's pool is the one it was installed on
        String pool = Clusterfile.stored(c.clusterfile).infra() != null ? c.name : null;
        settle(c, o, at);
        List<SpecificRecord> events = OutcomeEvents.of(c, o, changes, pool, at);
        Uni<?> chain = sequence(writes);
        for (SpecificRecord e : events) {
            chain = chain.chain(() -> outbox.append(c.name, e, context(c)));
        }
        return chain.chain(() -> s.flush()).chain(() -> hostsOf(s, c.name)).map(all -> ClusterView.of(c, all));
    }

    /** Removed hosts lose their rows and steps; the others take what the outcome says of them. */
    private static HostChanges applyToHosts(Mutiny.Session s, String cluster, List<ClusterHostRecord> hosts, OperationOutcome o,
                                            Instant at, List<Uni<?>> writes) {
        List<ClusterHostRecord> remaining = new ArrayList<>();
        List<ClusterHostRecord> joined = new ArrayList<>();
        Set<String> removed = new HashSet<>(o.removed());
        for (ClusterHostRecord h : hosts) {
            if (removed.contains(h.ip)) {
                writes.add(s.remove(h));
                writes.add(forgetSteps(s, cluster, h.ip));
                continue;
            }
            remaining.add(h);
            h.updatedAt = at;
            if (o.reset().contains(h.ip)) {
                writes.add(forgetSteps(s, cluster, h.ip));
            }
            if (applyTo(h, o)) {
                joined.add(h);
            }
        }
        return new HostChanges(remaining, joined);
    }

    /**
     * A reset host is Pending again, an installed one a member (with its digest), a failed one keeps its membership and
     * records the step and reason. Answers true when the host became a member.
     */
    private static boolean applyTo(ClusterHostRecord h, OperationOutcome o) {
        if (o.reset().contains(h.ip)) {
            h.state = ClusterHostRecord.State.Pending;
            h.installedDigest = null;
            h.step = "clean";
            h.error = null;
            return false;
        }
        if (o.installed().containsKey(h.ip)) {
            boolean joins = h.state != ClusterHostRecord.State.Member;
            h.state = ClusterHostRecord.State.Member;
            h.installedDigest = o.installed().get(h.ip);
            h.error = null;
            return joins;
        }
        if (o.failures().containsKey(h.ip)) {
            OperationOutcome.Failure f = o.failures().get(h.ip);
            if (h.state != ClusterHostRecord.State.Member) {
                h.state = ClusterHostRecord.State.Failed;
            }
            h.step = f.step();
            h.error = bound(f.reason());
        }
        return false;
    }

    /** The cluster takes the outcome's state, image and Clusterfile, and its operation is over. */
    private static void settle(Cluster c, OperationOutcome o, Instant at) {
        c.state = o.state();
        c.message = bound(o.message());
        c.awaitingPool = null;
        c.pending = false;
        c.worker = null;
        c.updatedAt = at;
        if (o.imageDigest() != null) {
            c.imageDigest = o.imageDigest();
        }
        if (o.clusterfile() != null) {
            c.clusterfile = o.clusterfile();
        }
    }
}
