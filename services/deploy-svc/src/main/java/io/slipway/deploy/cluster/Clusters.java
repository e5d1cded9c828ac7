package io.slipway.deploy.cluster;

import static io.slipway.deploy.cluster.ClusterRows.hostsOf;
import static io.slipway.deploy.cluster.ClusterRows.session;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.api.NotFound;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Reads the Cluster aggregate: one cluster or all, with their hosts. Its changes are made elsewhere in this package,
 * each with its event: {@link ClusterAdmission} (requests), {@link AwaitedPools} (pools from infra-svc),
 * {@link OperationClaims} (workers), {@link HostStepJournal} (steps) and {@link OperationOutcomes} (results).
 */
@ApplicationScoped
public class Clusters {

    @WithTransaction
    public Uni<ClusterView> view(String name) {
        return session().chain(s -> s.find(Cluster.class, name).chain(c -> {
            if (c == null) {
                throw NotFound.of("cluster", name);
            }
            return hostsOf(s, name).map(h -> ClusterView.of(c, h));
        }));
    }

    @WithTransaction
    public Uni<List<ClusterView>> list() {
        return session().chain(s -> s.createQuery("from Cluster order by name", Cluster.class).getResultList()
                .chain(clusters -> s.createQuery("from ClusterHostRecord order by cluster, position", ClusterHostRecord.class).getResultList()
                        .map(hosts -> clusters.stream().map(c -> ClusterView.of(c, hosts.stream().filter(h -> h.cluster.equals(c.name)).toList())).toList())));
    }

    /** The stored desired Clusterfile (with secrets) of a live cluster, for operations that edit it. */
    @WithTransaction
    public Uni<Cluster> find(String name) {
        return session().chain(s -> s.find(Cluster.class, name));
    }
}
