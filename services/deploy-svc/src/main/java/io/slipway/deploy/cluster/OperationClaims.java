package io.slipway.deploy.cluster;

import static io.slipway.deploy.cluster.ClusterRows.hostsOf;
import static io.slipway.deploy.cluster.ClusterRows.session;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.deploy.cluster.ClaimedOperation.HostSnapshot;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Workers' hold on pending operations: a worker claims one with {@code for update skip locked}, so several instances
 * share the work, and operations a dead worker held are released to resume.
 */
@ApplicationScoped
public class OperationClaims {

    /** Takes the oldest pending operation no worker holds, or null. */
    @WithTransaction
    public Uni<ClaimedOperation> claimNext(String worker) {
        return session().chain(s -> s.createNativeQuery("""
                        select name from deploy_cluster where pending and worker is null and awaiting_pool is null order by updated_at limit 1
                        for update skip locked""", String.class).getResultList().chain(names -> {
            if (names.isEmpty()) {
                return Uni.createFrom().nullItem();
            }
            return s.find(Cluster.class, names.get(0)).chain(c -> {
                c.worker = worker;
                c.heartbeatAt = Instant.now();
                return hostsOf(s, c.name).chain(hosts -> completedSteps(s, c.name).map(done -> claimed(c, hosts, done)));
            });
        }));
    }

    /** The steps completed on the cluster's hosts, as {@link ClaimedOperation#stepKey} keys: what a resumed operation skips. */
    private static Uni<List<String>> completedSteps(Mutiny.Session s, String cluster) {
        return s.createQuery("select ip || '/' || step || '/' || revision from HostStepRecord where cluster = :c and state = :done",
                        String.class)
                .setParameter("c", cluster).setParameter("done", HostStepRecord.State.Completed).getResultList();
    }

    private static ClaimedOperation claimed(Cluster c, List<ClusterHostRecord> hosts, List<String> done) {
        return new ClaimedOperation(c.name, c.operation, c.generation, c.clusterfile, c.imageDigest,
                c.operationHosts == null || c.operationHosts.isBlank() ? List.of() : List.of(c.operationHosts.split(",")),
                c.operationForce,
                hosts.stream().map(h -> new HostSnapshot(h.ip, List.of(h.roles.split(",")), h.state, h.installedDigest)).toList(),
                new HashSet<>(done), c.correlationId, c.traceparent);
    }

    /** Renews the lease of every operation {@code worker} holds; answers how many it holds. */
    @WithTransaction
    public Uni<Integer> heartbeat(String worker) {
        return session().chain(s -> s.createMutationQuery("update Cluster set heartbeatAt = :now where worker = :me and pending = true")
                .setParameter("now", Instant.now()).setParameter("me", worker).executeUpdate());
    }

    /**
     * Releases, to resume from their completed steps, the operations whose worker is gone: no heartbeat since
     * {@code lapsedBefore}, or {@code exited} says its process has exited. Rows another instance is releasing are
     * skipped, so each is released once. Answers the clusters released, each with why.
     */
    @WithTransaction
    public Uni<List<String>> releaseGone(Instant lapsedBefore, Predicate<String> exited) {
        return session().chain(s -> s.createNativeQuery("""
                        select name from deploy_cluster where pending and worker is not null order by updated_at for update skip locked""",
                        String.class).getResultList()
                .chain(names -> Multi.createFrom().iterable(names)
                        .onItem().transformToUniAndConcatenate(name -> s.find(Cluster.class, name).map(c -> releaseIfGone(c, lapsedBefore, exited)))
                        .filter(Objects::nonNull).collect().asList()));
    }

    private static String releaseIfGone(Cluster c, Instant lapsedBefore, Predicate<String> exited) {
        String why;
        if (c.heartbeatAt == null || c.heartbeatAt.isBefore(lapsedBefore)) {
            why = "its lease lapsed: no heartbeat since " + (c.heartbeatAt == null ? "it was claimed" : c.heartbeatAt);
        } else if (exited.test(c.worker)) {
            why = "its worker's process on this host has exited";
        } else {
            return null;
        }
        String was = c.worker;
        c.worker = null;
        c.heartbeatAt = null;
        return c.name + " (held by " + was + ": " + why + ")";
    }
}
