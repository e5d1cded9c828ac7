package io.slipway.deploy.cluster;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.backbone.EventContext;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/** What every transition of the Cluster aggregate does alike: its session, host rows, timestamps and event context. */
final class ClusterRows {
    private ClusterRows() {
    }

    static Uni<Mutiny.Session> session() {
        return Panache.getSession();
    }

    static Uni<List<ClusterHostRecord>> hostsOf(Mutiny.Session s, String cluster) {
        return s.createQuery("from ClusterHostRecord where cluster = :c order by position", ClusterHostRecord.class)
                .setParameter("c", cluster).getResultList();
    }

    /** Deletes the step rows of one host of {@code cluster}: a host removed or reset starts its steps afresh. */
    static Uni<Integer> forgetSteps(Mutiny.Session s, String cluster, String ip) {
        return s.createMutationQuery("delete from HostStepRecord where cluster = :c and ip = :ip")
                .setParameter("c", cluster).setParameter("ip", ip).executeUpdate();
    }

    /** Session operations run one after another: a Hibernate Reactive session allows no concurrent use. */
    static Uni<Void> sequence(List<Uni<?>> writes) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Uni<?> w : writes) {
            chain = chain.chain(() -> w).replaceWithVoid();
        }
        return chain;
    }

    /** The context of the request that started the cluster's operation, for the events the operation causes. */
    static EventContext context(Cluster c) {
        return new EventContext(c == null ? null : c.correlationId, null, c == null ? null : c.traceparent);
    }

    /** {@code s} cut to fit a 4000-character column. */
    static String bound(String s) {
        if (s == null) {
            return null;
        }
        return s.length() > 3900 ? s.substring(0, 3897) + "..." : s;
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
