package io.slipway.infra.provision;

import io.quarkus.scheduler.Scheduled;
import io.slipway.infra.InfraServiceConfig;
import io.slipway.infra.pool.Pool;
import io.slipway.infra.pool.PoolNode;
import io.slipway.infra.pool.Pools;
import io.slipway.provision.ProviderNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Finds nodes no pool wants and gives them back: nodes tagged with a pool that is gone, failed or deleted, and nodes
 * of a live pool that none of its rows holds (a create repeated by a foreign client, a failed node whose release was
 * cut short). A node younger than the grace is left alone: its create may still be on its way to being recorded.
 */
@ApplicationScoped
public class Reaper {
    private static final Logger LOG = Logger.getLogger(Reaper.class);

    private final InfraServiceConfig config;
    private final Pools pools;
    private final Providers providers;
    private final PoolRelease release;

    Reaper(InfraServiceConfig config, Pools pools, Providers providers, PoolRelease release) {
        this.config = config;
        this.pools = pools;
        this.providers = providers;
        this.release = release;
    }

    @Scheduled(every = "${slipway.infra.reap-interval:60s}", delayed = "${slipway.infra.reap-interval:60s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            reap();
        } catch (RuntimeException e) {
            LOG.warnf("reaper: %s", e.getMessage());
        }
    }

    /** One pass over every provider; answers the ids it released. */
    public List<String> reap() {
        List<String> released = new ArrayList<>();
        Instant youngest = Instant.now().minus(config.reapGrace());
        providers.all().keySet().forEach(name -> {
            try {
                released.addAll(reap(name, youngest));
            } catch (RuntimeException e) {
                // one provider out of reach must not keep the others' strays alive
                LOG.warnf("reaper: provider %s: %s", name, e.getMessage());
            }
        });
        return released;
    }

    private List<String> reap(String name, Instant youngest) {
        List<String> released = new ArrayList<>();
        List<ProviderNode> alive = release.listPooled(name).stream().filter(n -> n.state().alive()).toList();
        if (alive.isEmpty()) {
            return released;
        }
        Set<String> poolIds = alive.stream().map(ProviderNode::poolId).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
        Map<String, Pool> byId = poolIds.isEmpty() ? Map.of() : PoolWorker.await(() -> pools.findAll(poolIds)).stream()
                .collect(Collectors.toMap(p -> p.id, Function.identity()));
        Map<String, List<PoolNode>> rows = new HashMap<>();
        if (!poolIds.isEmpty()) {
            PoolWorker.await(() -> pools.nodesOfAll(poolIds)).forEach(r -> rows.computeIfAbsent(r.poolId, k -> new ArrayList<>()).add(r));
        }
        for (ProviderNode n : alive) {
            if (n.launchedAt() != null && n.launchedAt().isAfter(youngest)) {
                continue;
            }
            Pool pool = byId.get(n.poolId());
            String reason = unwanted(n, pool, rows.getOrDefault(n.poolId(), List.of()), name);
            if (reason == null) {
                continue;
            }
            LOG.infof("reaper: releasing %s of pool %s (%s): %s", n.id(), n.poolId(), name, reason);
            release.releaseNode(name, n.poolId(), n.id(), "reaped: " + reason);
            released.add(n.id());
        }
        return released;
    }

    /** Why no pool wants the node, or null when one does. */
    private static String unwanted(ProviderNode n, Pool pool, List<PoolNode> rows, String provider) {
        if (pool == null) {
            return "no pool " + n.poolId() + " exists";
        }
        if (!pool.provider.equals(provider)) {
            return "pool " + pool.id + " takes its nodes from " + pool.provider;
        }
        if (!pool.state.wantsNodes()) {
            // a pool being deleted has a worker releasing its nodes; the reaper only takes what is left after that
            return pool.state == Pool.State.Deleting ? null : "pool " + pool.id + " is " + pool.state;
        }
        for (PoolNode r : rows) {
            if (n.id().equals(r.instanceId)) {
                return null;
            }
            // its create is recorded and its answer not yet: the node is on its way to the row
            if (r.instanceId == null && r.token != null && r.token.equals(n.token())) {
                return null;
            }
        }
        return "no node of pool " + pool.id + " holds it";
    }
}
