package io.slipway.deploy.cluster;

import static io.slipway.deploy.cluster.ClusterRows.hostsOf;
import static io.slipway.deploy.cluster.ClusterRows.session;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.deploy.cluster.ClaimedOperation.HostSnapshot;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
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

    /** Operations held by a worker that is gone (the service was killed) are released, to resume from their steps. */
    @WithTransaction
    public Uni<Integer> releaseAbandoned(String exceptWorker) {
        return session().chain(s -> s.createMutationQuery(
                        "update Cluster set worker = null where pending = true and worker is not null and worker <> :me")
                .setParameter("me", exceptWorker).executeUpdate());
    }
}
