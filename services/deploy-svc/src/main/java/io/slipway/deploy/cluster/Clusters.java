package io.slipway.deploy.cluster;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.NotFound;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.deploy.cluster.ClaimedOperation.HostSnapshot;
import io.slipway.deploy.cluster.OperationRequest.DesiredHost;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.deploy.clusterfile.InfraSpec;
import io.slipway.events.deploy.AddedHost;
import io.slipway.events.deploy.ClusterDegraded;
import io.slipway.events.deploy.ClusterFailed;
import io.slipway.events.deploy.ClusterMember;
import io.slipway.events.deploy.ClusterReady;
import io.slipway.events.deploy.ClusterRequested;
import io.slipway.events.deploy.Deleted;
import io.slipway.events.deploy.HostProblem;
import io.slipway.events.deploy.HostStepCompleted;
import io.slipway.events.deploy.HostStepFailed;
import io.slipway.events.deploy.HostStepStarted;
import io.slipway.events.deploy.HostsAdded;
import io.slipway.events.deploy.HostsRemoved;
import io.slipway.events.deploy.PoolAssigned;
import io.slipway.events.deploy.PoolWanted;
import io.slipway.events.deploy.WantedRole;
import io.slipway.events.deploy.Upgraded;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The Cluster aggregate's transitions. Each change of cluster, host and step rows commits with its event in one
 * transaction, so {@code slipway.deploy.events} is the complete history of every cluster.
 */
@ApplicationScoped
public class Clusters {
    private final Outbox outbox;

    Clusters(Outbox outbox) {
        this.outbox = outbox;
    }

    /** The result of a request: the cluster as it is now, and false when the request changed nothing. */
    public record Requested(ClusterView view, boolean changed) {
    }

    @WithTransaction
    public Uni<Requested> request(OperationRequest r, EventContext context) {
        return session().chain(s -> s.find(Cluster.class, r.cluster()).chain(existing -> hostsOf(s, r.cluster()).chain(hosts -> {
            boolean live = existing != null && existing.state != Cluster.State.Deleted;
            if (existing != null && r.requestId() != null && r.requestId().equals(existing.requestId)) {
                return Uni.createFrom().item(new Requested(ClusterView.of(existing, hosts, false), false));
            }
            if (live && existing.pending && !(r.operation() == ClusterOperation.DELETE && existing.awaitingPool != null)) {
                // a cluster still waiting for its pool can be deleted: nothing is installed, and infra-svc releases the pool
                throw new OperationInProgress(r.cluster(), existing.operation);
            }
            boolean creates = r.operation() == ClusterOperation.RUN || r.operation() == ClusterOperation.APPLY;
            if (!creates && !live) {
                throw NotFound.of("cluster", r.cluster());
            }
            if (creates && live && existing.state == Cluster.State.Ready && r.clusterfile().equals(existing.clusterfile)
                    && hosts.stream().allMatch(h -> h.state == ClusterHostRecord.State.Member)) {
                return Uni.createFrom().item(new Requested(ClusterView.of(existing, hosts, false), false));
            }
            Cluster c = existing != null ? existing : new Cluster();
            boolean isNew = existing == null;
            if (existing != null && existing.state == Cluster.State.Deleted) {
                c.imageDigest = null;
            }
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
            List<Uni<?>> writes = new ArrayList<>();
            if (!live) {
                hosts.forEach(h -> writes.add(s.remove(h)));
                writes.add(s.createMutationQuery("delete from HostStepRecord where cluster = :c").setParameter("c", c.name).executeUpdate());
                hosts = List.of();
            }
            Map<String, ClusterHostRecord> byIp = new java.util.HashMap<>();
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
            ClusterRequested event = ClusterRequested.newBuilder().setCluster(c.name).setImage(Objects.requireNonNullElse(r.image(), ""))
                    .setMasters(r.desiredHosts().stream().filter(DesiredHost::master).map(DesiredHost::ip).toList())
                    .setNodes(r.desiredHosts().stream().filter(d -> !d.master()).map(DesiredHost::ip).toList())
                    .setRequestedBy(r.requestedBy()).setRequestedAt(c.updatedAt).setOperation(r.operation().label())
                    .setGeneration(c.generation).setClusterfile(r.maskedClusterfile()).build();
            Uni<Void> persistCluster = isNew ? s.persist(c) : Uni.createFrom().voidItem();
            return persistCluster.chain(() -> sequence(writes))
                    .chain(() -> s.flush())
                    .chain(() -> outbox.append(c.name, event, context))
                    .chain(() -> r.pool() == null ? Uni.createFrom().voidItem()
                            : outbox.append(c.name, poolWanted(c, r.pool()), context).replaceWithVoid())
                    .chain(() -> hostsOf(s, c.name))
                    .map(all -> new Requested(ClusterView.of(c, all, true), true));
        })));
    }

    private static PoolWanted poolWanted(Cluster c, InfraSpec infra) {
        return PoolWanted.newBuilder().setCluster(c.name).setGeneration(c.generation).setPoolId(c.name).setProvider(infra.provider())
                .setRoles(infra.roles().stream().map(r -> WantedRole.newBuilder().setRole(r.role()).setCount(r.count())
                        .setSize(r.size()).setImage(r.image()).build()).toList())
                .setRequestedBy(Objects.requireNonNullElse(c.requestedBy, "")).setAt(c.updatedAt).build();
    }

    /**
     * The pool a cluster waited for is ready: {@code fill} gives its stored Clusterfile with the pool's nodes as hosts
     * (it may throw {@link PoolUnusable}), their rows are made, and the pending operation can be claimed. Answers
     * false, changing nothing, when no cluster waits for {@code poolId} (deleted meanwhile, or the event came again).
     */
    @WithTransaction
    public Uni<Boolean> poolAssigned(String poolId, java.util.function.UnaryOperator<Clusterfile> fill, EventContext context) {
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
            List<Uni<?>> writes = new ArrayList<>();
            Set<String> known = new HashSet<>();
            hosts.forEach(h -> known.add(h.ip));
            int position = hosts.size();
            for (var h : filled.hosts()) {
                if (known.contains(h.ip())) {
                    continue; // a grown pool's nodes that are already hosts keep their rows
                }
                writes.add(s.persist(ClusterHostRecord.of(c.name, h.ip(), h.roles(), position++, ClusterHostRecord.State.Pending, at)));
            }
            PoolAssigned event = PoolAssigned.newBuilder().setCluster(c.name).setGeneration(c.generation).setPoolId(poolId)
                    .setMasters(filled.masters().stream().map(h -> h.ip()).toList())
                    .setNodes(filled.nodes().stream().map(h -> h.ip()).toList()).setAt(at).build();
            return sequence(writes).chain(() -> s.flush()).chain(() -> outbox.append(c.name, event, context)).replaceWith(true);
        })));
    }

    /**
     * The pool a cluster waited for failed (or cannot be used): a new cluster fails with the reason; a live one whose pool
     * could not grow is Degraded and keeps its nodes. Answers the cluster's state, or null when no cluster waits.
     */
    @WithTransaction
    public Uni<Cluster.State> poolFailed(String poolId, String reason, EventContext context) {
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

    private static Cluster.State stateFor(OperationRequest r, Cluster live) {
        return switch (r.operation()) {
            case DELETE -> Cluster.State.Deleting;
            case JOIN, REMOVE, RESET -> Cluster.State.Scaling;
            default -> live == null || live.imageDigest == null ? Cluster.State.Installing
                    : Objects.equals(live.image, r.image()) ? Cluster.State.Scaling : Cluster.State.Upgrading;
        };
    }

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
                return hostsOf(s, c.name).chain(hosts -> s.createQuery(
                                "select ip || '/' || step || '/' || revision from HostStepRecord where cluster = :c and state = :done", String.class)
                        .setParameter("c", c.name).setParameter("done", HostStepRecord.State.Completed).getResultList()
                        .map(done -> new ClaimedOperation(c.name, c.operation, c.generation, c.clusterfile, c.imageDigest,
                                c.operationHosts == null || c.operationHosts.isBlank() ? List.of() : List.of(c.operationHosts.split(",")),
                                c.operationForce,
                                hosts.stream().map(h -> new HostSnapshot(h.ip, List.of(h.roles.split(",")), h.state, h.installedDigest)).toList(),
                                new HashSet<>(done), c.correlationId, c.traceparent)));
            });
        }));
    }

    /** Operations held by a worker that is gone (the service was killed) are released, to resume from their steps. */
    @WithTransaction
    public Uni<Integer> releaseAbandoned(String exceptWorker) {
        return session().chain(s -> s.createMutationQuery(
                        "update Cluster set worker = null where pending = true and worker is not null and worker <> :me")
                .setParameter("me", exceptWorker).executeUpdate());
    }

    @WithTransaction
    public Uni<Void> stepStarted(String cluster, long generation, String ip, String step, String revision) {
        return step(cluster, generation, ip, step, revision, HostStepRecord.State.Started, null, 0, (h, r) -> {
            h.step = step;
            return HostStepStarted.newBuilder().setCluster(cluster).setHost(ip).setStep(step).setGeneration(generation)
                    .setAt(r.updatedAt).build();
        });
    }

    @WithTransaction
    public Uni<Void> stepCompleted(String cluster, long generation, String ip, String step, String revision, String detail,
                                   long bytesSent, boolean skipped, long durationMillis) {
        return step(cluster, generation, ip, step, revision, HostStepRecord.State.Completed, detail, bytesSent, (h, r) -> {
            h.step = step;
            h.error = null;
            return HostStepCompleted.newBuilder().setCluster(cluster).setHost(ip).setStep(step).setGeneration(generation)
                    .setDetail(Objects.requireNonNullElse(detail, "")).setBytesSent(bytesSent).setSkipped(skipped)
                    .setDurationMillis(durationMillis).setAt(r.updatedAt).build();
        });
    }

    @WithTransaction
    public Uni<Void> stepFailed(String cluster, long generation, String ip, String step, String revision, String reason,
                                boolean transientFault) {
        String bounded = bound(reason);
        return step(cluster, generation, ip, step, revision, HostStepRecord.State.Failed, bounded, 0, (h, r) -> {
            h.step = step;
            h.error = bounded;
            return HostStepFailed.newBuilder().setCluster(cluster).setHost(ip).setStep(step).setGeneration(generation)
                    .setReason(bounded).setTransientFault(transientFault).setAt(r.updatedAt).build();
        });
    }

    private Uni<Void> step(String cluster, long generation, String ip, String step, String revision, HostStepRecord.State state,
                           String detail, long bytes, java.util.function.BiFunction<ClusterHostRecord, HostStepRecord, SpecificRecord> apply) {
        return session().chain(s -> s.find(Cluster.class, cluster).chain(c -> s.find(ClusterHostRecord.class, ClusterHostRecord.id(cluster, ip))
                .chain(h -> s.find(HostStepRecord.class, HostStepRecord.id(cluster, ip, step, revision)).chain(existing -> {
                    HostStepRecord r = existing != null ? existing : new HostStepRecord();
                    r.id = HostStepRecord.id(cluster, ip, step, revision);
                    r.cluster = cluster;
                    r.ip = ip;
                    r.step = step;
                    r.revision = revision;
                    r.state = state;
                    r.detail = detail;
                    r.bytesSent = bytes;
                    r.generation = generation;
                    r.updatedAt = now();
                    ClusterHostRecord host = h != null ? h : new ClusterHostRecord();
                    SpecificRecord event = apply.apply(host, r);
                    if (h != null) {
                        h.updatedAt = r.updatedAt;
                    }
                    Uni<Void> persist = existing == null ? s.persist(r) : Uni.createFrom().voidItem();
                    return persist.chain(() -> outbox.append(cluster, event, context(c))).replaceWithVoid();
                }))));
    }

    /** Applies an operation's outcome: host rows, the cluster's state, and the events that say what happened. */
    @WithTransaction
    public Uni<ClusterView> finish(String cluster, long generation, OperationOutcome o) {
        return session().chain(s -> s.find(Cluster.class, cluster).chain(c -> hostsOf(s, cluster).chain(hosts -> {
            if (c == null || c.generation != generation) {
                return Uni.createFrom().failure(new IllegalStateException("cluster " + cluster + " moved past generation " + generation));
            }
            Instant at = now();
            List<SpecificRecord> events = new ArrayList<>();
            List<Uni<?>> writes = new ArrayList<>();
            List<AddedHost> added = new ArrayList<>();
            List<ClusterHostRecord> remaining = new ArrayList<>();
            Set<String> removed = new HashSet<>(o.removed());
            for (ClusterHostRecord h : hosts) {
                if (removed.contains(h.ip)) {
                    writes.add(s.remove(h));
                    writes.add(s.createMutationQuery("delete from HostStepRecord where cluster = :c and ip = :ip")
                            .setParameter("c", cluster).setParameter("ip", h.ip).executeUpdate());
                    continue;
                }
                remaining.add(h);
                h.updatedAt = at;
                if (o.reset().contains(h.ip)) {
                    h.state = ClusterHostRecord.State.Pending;
                    h.installedDigest = null;
                    h.step = "clean";
                    h.error = null;
                    writes.add(s.createMutationQuery("delete from HostStepRecord where cluster = :c and ip = :ip")
                            .setParameter("c", cluster).setParameter("ip", h.ip).executeUpdate());
                } else if (o.installed().containsKey(h.ip)) {
                    if (h.state != ClusterHostRecord.State.Member) {
                        added.add(AddedHost.newBuilder().setIp(h.ip).setRoles(List.of(h.roles.split(","))).build());
                    }
                    h.state = ClusterHostRecord.State.Member;
                    h.installedDigest = o.installed().get(h.ip);
                    h.error = null;
                } else if (o.failures().containsKey(h.ip)) {
                    OperationOutcome.Failure f = o.failures().get(h.ip);
                    if (h.state != ClusterHostRecord.State.Member) {
                        h.state = ClusterHostRecord.State.Failed;
                    }
                    h.step = f.step();
                    h.error = bound(f.reason());
                }
            }
            if (!o.removed().isEmpty()) {
                events.add(HostsRemoved.newBuilder().setCluster(cluster).setGeneration(generation).setHosts(o.removed())
                        .setCleaned(o.removedCleaned()).setReason(c.operation == null ? "" : c.operation.label()).setAt(at).build());
            }
            if (!added.isEmpty()) {
                events.add(HostsAdded.newBuilder().setCluster(cluster).setGeneration(generation).setHosts(added).setAt(at).build());
            }
            if (o.upgrade() != null) {
                OperationOutcome.Upgrade u = o.upgrade();
                events.add(Upgraded.newBuilder().setCluster(cluster).setGeneration(generation).setFromDigest(u.fromDigest())
                        .setToDigest(u.toDigest()).setChangedLayers(u.changedLayers()).setBytesSent(u.bytesSent())
                        .setHooksRerun(u.hooksRerun()).setAt(at).build());
            }
            boolean pooled = Clusterfile.stored(c.clusterfile).infra() != null;
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
            switch (o.state()) {
                case Ready -> events.add(ClusterReady.newBuilder().setCluster(cluster).setGeneration(generation)
                        .setImage(Objects.requireNonNullElse(c.image, "")).setImageDigest(Objects.requireNonNullElse(c.imageDigest, ""))
                        .setMembers(remaining.stream().filter(h -> h.state == ClusterHostRecord.State.Member)
                                .map(h -> ClusterMember.newBuilder().setIp(h.ip).setRoles(List.of(h.roles.split(","))).build()).toList())
                        .setAt(at).build());
                case Degraded -> events.add(ClusterDegraded.newBuilder().setCluster(cluster).setGeneration(generation)
                        .setProblems(problems(o, remaining)).setAt(at).build());
                case Failed -> events.add(ClusterFailed.newBuilder().setCluster(cluster).setGeneration(generation)
                        .setReason(c.message).setAt(at).build());
                case Deleted -> events.add(Deleted.newBuilder().setCluster(cluster).setGeneration(generation)
                        .setForced(c.operationForce).setUncleanedHosts(o.uncleaned()).setPoolId(pooled ? cluster : null).setAt(at).build());
                default -> throw new IllegalArgumentException("an operation cannot end in " + o.state());
            }
            Uni<?> chain = sequence(writes);
            for (SpecificRecord e : events) {
                chain = chain.chain(() -> outbox.append(cluster, e, context(c)));
            }
            return chain.chain(() -> s.flush()).chain(() -> hostsOf(s, cluster)).map(all -> ClusterView.of(c, all));
        })));
    }

    /** Session operations run one after another: a Hibernate Reactive session allows no concurrent use. */
    private static Uni<Void> sequence(List<Uni<?>> writes) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Uni<?> w : writes) {
            chain = chain.chain(() -> w).replaceWithVoid();
        }
        return chain;
    }

    private static List<HostProblem> problems(OperationOutcome o, List<ClusterHostRecord> hosts) {
        List<HostProblem> problems = new ArrayList<>();
        o.failures().forEach((ip, f) -> problems.add(HostProblem.newBuilder().setHost(ip).setStep(f.step()).setReason(bound(f.reason())).build()));
        hosts.stream().filter(h -> h.state != ClusterHostRecord.State.Member && !o.failures().containsKey(h.ip))
                .forEach(h -> problems.add(HostProblem.newBuilder().setHost(h.ip).setStep(Objects.requireNonNullElse(h.step, ""))
                        .setReason(h.state == ClusterHostRecord.State.Pending ? "not installed (reset or pending): apply to install it"
                                : Objects.requireNonNullElse(h.error, h.state.name())).build()));
        return problems;
    }

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

    private static Uni<List<ClusterHostRecord>> hostsOf(Mutiny.Session s, String cluster) {
        return s.createQuery("from ClusterHostRecord where cluster = :c order by position", ClusterHostRecord.class)
                .setParameter("c", cluster).getResultList();
    }

    private static Uni<Mutiny.Session> session() {
        return Panache.getSession();
    }

    private static EventContext context(Cluster c) {
        return new EventContext(c == null ? null : c.correlationId, null, c == null ? null : c.traceparent);
    }

    private static String bound(String s) {
        if (s == null) {
            return null;
        }
        return s.length() > 3900 ? s.substring(0, 3897) + "..." : s;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
