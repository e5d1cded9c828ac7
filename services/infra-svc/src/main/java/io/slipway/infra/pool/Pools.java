package io.slipway.infra.pool;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.events.infra.NodeCreating;
import io.slipway.events.infra.NodeFailed;
import io.slipway.events.infra.NodeLaunched;
import io.slipway.events.infra.NodeReady;
import io.slipway.events.infra.NodeReleased;
import io.slipway.events.infra.NodeRequested;
import io.slipway.events.infra.NodeRunning;
import io.slipway.events.infra.PoolDeleted;
import io.slipway.events.infra.PoolFailed;
import io.slipway.events.infra.PoolReady;
import io.slipway.events.infra.PoolRefused;
import io.slipway.events.infra.PoolResized;
import io.slipway.events.infra.PoolRequested;
import io.slipway.events.infra.PoolShortfall;
import io.slipway.events.infra.ReadyNode;
import io.slipway.events.infra.ResizedRole;
import io.slipway.events.infra.RoleRequest;
import io.slipway.provision.CreateRequest;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The Pool aggregate's transitions: every change of a pool or its nodes commits with its event in one transaction,
 * keyed by the pool id, so all of a pool's events stay in order on {@code slipway.infra.events}.
 */
@ApplicationScoped
public class Pools {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final Outbox outbox;

    Pools(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * Records a pool and its nodes (Requested). Asking again for the same id with the same roles answers the pool as it
     * is (a retried CI command or REST call); with other roles or another provider it is a conflict. The id of a deleted
     * pool is free for a new one.
     */
    @WithTransaction
    public Uni<Pool> request(PoolRequest request, String requestedBy, EventContext context) {
        return session().chain(s -> s.find(Pool.class, request.poolId())).chain(existing -> {
            if (existing != null && existing.state == Pool.State.Deleted) {
                // the id is free again: the new pool replaces the deleted one's rows (its events stay on the topic)
                return forget(existing).chain(() -> create(request, requestedBy, context));
            }
            if (existing != null) {
                if (!sameShape(existing, request)) {
                    return Uni.createFrom().failure(new PoolConflict("pool " + request.poolId() + " exists (" + existing.state
                            + ") with other roles or another provider; delete it first or choose another id"));
                }
                return Uni.createFrom().item(existing);
            }
            return create(request, requestedBy, context);
        });
    }

    /**
     * As {@link #request}, but a pool of that id still being deleted does not answer for the new one: the request waits
     * on its row and the new pool is made once the old one is Deleted (a cluster deleted and applied again at once).
     */
    @WithTransaction
    public Uni<Pool> requestAfterDelete(PoolRequest request, String requestedBy, EventContext context) {
        return session().chain(s -> s.find(Pool.class, request.poolId())).chain(existing -> {
            if (existing == null || existing.state != Pool.State.Deleting) {
                return request(request, requestedBy, context);
            }
            try {
                // the old pool's own events keep its correlation; the new one's travels with its request
                existing.successorRequest = JSON.writeValueAsString(new Successor(request, context.correlationId(), context.traceparent()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return Uni.createFrom().failure(new IllegalStateException("pool request cannot be written as JSON", e));
            }
            existing.successorBy = requestedBy;
            return Uni.createFrom().item(existing);
        });
    }

    private Uni<Pool> create(PoolRequest request, String requestedBy, EventContext context) {
        Instant now = now();
        Pool pool = newPool(request, requestedBy, context, now);
        List<PoolNode> nodes = new ArrayList<>();
        List<SpecificRecord> events = new ArrayList<>();
        events.add(requested(pool, now));
        for (Pool.Role r : pool.roles) {
            for (int i = 0; i < r.count; i++) {
                PoolNode n = new PoolNode();
                n.id = PoolNode.id(pool.id, r.role, i);
                n.poolId = pool.id;
                n.role = r.role;
                n.ordinal = i;
                n.state = PoolNode.State.Requested;
                n.updatedAt = now;
                nodes.add(n);
                events.add(NodeRequested.newBuilder().setNodeId(n.id).setPoolId(pool.id).setProvider(pool.provider)
                        .setRole(r.role).setOrdinal(i).setLabels(Map.of()).setRequestedAt(now).build());
            }
        }
        return session().chain(s -> s.persist(pool).chain(() -> s.persistAll(nodes.toArray())))
                .chain(() -> append(pool, events)).replaceWith(pool);
    }

    /**
     * Grows a pool still wanted (Requested or Ready) to {@code request}'s counts: the same provider, each role's size and
     * image as they are, no count smaller. New nodes get the next ordinals (NodeRequested), the pool is Requested again
     * (PoolResized) and a worker provisions it: the creates it made are repeated under their tokens, so its nodes stay
     * the same, and only the missing ones are made. The same shape again changes nothing; anything else is a
     * {@link PoolConflict} naming what cannot change.
     */
    @WithTransaction
    public Uni<Pool> grow(PoolRequest request, String requestedBy, EventContext context) {
        return session().chain(s -> s.find(Pool.class, request.poolId())).chain(pool -> {
            if (pool == null || !pool.state.wantsNodes()) {
                return Uni.createFrom().failure(new PoolConflict("pool " + request.poolId() + " is "
                        + (pool == null ? "gone" : pool.state) + " and cannot grow"));
            }
            if (sameShape(pool, request)) {
                return Uni.createFrom().item(pool);
            }
            String refusal = growthRefusal(pool, request);
            if (refusal != null) {
                return Uni.createFrom().failure(new PoolConflict("pool " + pool.id + ": " + refusal));
            }
            Instant now = now();
            List<SpecificRecord> events = new ArrayList<>();
            List<PoolNode> added = new ArrayList<>();
            for (PoolRequest.RoleRequest r : request.roles()) {
                Pool.Role role = pool.roles.stream().filter(e -> e.role.equals(r.role())).findFirst().orElse(null);
                int from = role == null ? 0 : role.count;
                if (role == null) {
                    role = new Pool.Role(r.role(), r.count(), r.size(), r.image());
                    pool.roles.add(role);
                }
                role.count = r.count();
                for (int i = from; i < r.count(); i++) {
                    PoolNode n = new PoolNode();
                    n.id = PoolNode.id(pool.id, r.role(), i);
                    n.poolId = pool.id;
                    n.role = r.role();
                    n.ordinal = i;
                    n.state = PoolNode.State.Requested;
                    n.updatedAt = now;
                    added.add(n);
                }
            }
            pool.state = Pool.State.Requested;
            pool.readyAt = null;
            events.add(PoolResized.newBuilder().setPoolId(pool.id).setRoles(pool.roles.stream().map(r -> ResizedRole.newBuilder()
                    .setRole(r.role).setCount(r.count).setSize(r.size).setImage(r.image).build()).toList())
                    .setRequestedBy(requestedBy).setAt(now).build());
            added.forEach(n -> events.add(NodeRequested.newBuilder().setNodeId(n.id).setPoolId(pool.id).setProvider(pool.provider)
                    .setRole(n.role).setOrdinal(n.ordinal).setLabels(Map.of()).setRequestedAt(now).build()));
            return session().chain(s -> s.persistAll(added.toArray())).chain(() -> append(pool, events, context)).replaceWith(pool);
        });
    }

    /** Why {@code request} is not a growth of {@code pool}, or null when it is. */
    private static String growthRefusal(Pool pool, PoolRequest request) {
        if (!pool.provider.equals(request.provider())) {
            return "its nodes come from " + pool.provider + ", not " + request.provider();
        }
        for (Pool.Role e : pool.roles) {
            PoolRequest.RoleRequest r = request.roles().stream().filter(x -> x.role().equals(e.role)).findFirst().orElse(null);
            if (r == null || r.count() < e.count) {
                return "role " + e.role + " has " + e.count + " node(s); a pool grows, it does not shrink yet (delete and apply again)";
            }
            if (!Objects.equals(e.size, r.size()) || !Objects.equals(e.image, r.image())) {
                return "role " + e.role + "'s size and image cannot change";
            }
        }
        return null;
    }

    /** A request waiting for its pool id to be free, with the context of whoever asked. */
    record Successor(PoolRequest request, String correlationId, String traceparent) {
    }

    private static Pool newPool(PoolRequest request, String requestedBy, EventContext context, Instant now) {
        Pool pool = new Pool();
        pool.id = request.poolId();
        pool.provider = request.provider();
        pool.state = Pool.State.Requested;
        pool.requestedBy = requestedBy;
        pool.requestedAt = now;
        pool.correlationId = context.correlationId();
        pool.traceparent = context.traceparent();
        for (PoolRequest.RoleRequest r : request.roles()) {
            pool.roles.add(new Pool.Role(r.role(), r.count() == null ? 0 : r.count(), r.size(), r.image()));
        }
        return pool;
    }

    private static PoolRequested requested(Pool pool, Instant now) {
        List<RoleRequest> roles = pool.roles.stream().map(r -> RoleRequest.newBuilder().setRole(r.role).setCount(r.count)
                .setSize(r.size).setImage(r.image).build()).toList();
        return PoolRequested.newBuilder().setPoolId(pool.id).setProvider(pool.provider).setRoles(roles)
                .setRequestedBy(pool.requestedBy).setRequestedAt(now).build();
    }

    /** Removes a deleted pool's rows, so its id can name a new pool. */
    private Uni<Void> forget(Pool deleted) {
        return session().chain(s -> s.createMutationQuery("delete from PoolNode where poolId = :id").setParameter("id", deleted.id).executeUpdate()
                .chain(() -> s.createMutationQuery("delete from PoolCreate where poolId = :id").setParameter("id", deleted.id).executeUpdate())
                .chain(() -> s.remove(deleted)).chain(s::flush));
    }

    /**
     * Takes the oldest pool that needs work (being provisioned or deleted) and that no live instance holds, for
     * {@code worker} until {@code lease} from now; null when there is none.
     */
    @WithTransaction
    public Uni<Pool> claimNext(String worker, Duration lease) {
        return session().chain(s -> s.createNativeQuery("""
                        select id from pool where state in ('Requested', 'Deleting') and (lease_until is null or lease_until < now())
                        order by requested_at limit 1 for update skip locked""", String.class).getResultList()
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().<Pool>nullItem() : s.find(Pool.class, ids.get(0)))
                .invoke(p -> {
                    if (p != null) {
                        p.worker = worker;
                        p.leaseUntil = now().plus(lease);
                    }
                }));
    }

    /** Extends the leases {@code worker} holds; answers the ids it still holds (a pool deleted meanwhile is among them). */
    @WithTransaction
    public Uni<Integer> renewLeases(String worker, Duration lease) {
        return session().chain(s -> s.createMutationQuery("update Pool set leaseUntil = :until where worker = :worker and leaseUntil is not null")
                .setParameter("until", now().plus(lease)).setParameter("worker", worker).executeUpdate());
    }

    /** Gives a pool up (its work is done or this instance stops), so another instance may take it at once. */
    @WithTransaction
    public Uni<Void> releaseLease(String poolId, String worker) {
        return session().chain(s -> s.createMutationQuery("update Pool set leaseUntil = null, worker = null where id = :id and worker = :worker")
                .setParameter("id", poolId).setParameter("worker", worker).executeUpdate()).replaceWithVoid();
    }

    /** The create calls recorded for a pool, oldest first: what a resumed provisioning repeats under the same tokens. */
    @WithTransaction
    public Uni<List<PoolCreate>> journal(String poolId) {
        return session().chain(s -> s.createQuery("from PoolCreate where poolId = :pool order by issuedAt, token", PoolCreate.class)
                .setParameter("pool", poolId).getResultList());
    }

    /**
     * Records a create before it goes out: the journal entry, and the role's next nodes that have no live create
     * (Requested, or Failed and to be replaced) move to Creating under its token. Recording a token twice changes
     * nothing. Fails with {@link PoolCancelled} when the pool no longer wants nodes.
     */
    @WithTransaction
    public Uni<Void> creating(String poolId, CreateRequest request) {
        return wanting(poolId).chain(pool -> session().chain(s -> s.find(PoolCreate.class, request.token())).chain(known -> {
            if (known != null) {
                return Uni.createFrom().voidItem();
            }
            PoolCreate c = new PoolCreate();
            c.token = request.token();
            c.poolId = poolId;
            c.role = request.role();
            c.count = request.count();
            c.size = request.size();
            c.image = request.image();
            c.issuedAt = now();
            return session().chain(s -> s.persist(c)).chain(() -> nodes(poolId)).chain(nodes -> {
                List<PoolNode> free = nodes.stream().filter(n -> n.role.equals(request.role()))
                        .filter(n -> n.state == PoolNode.State.Requested || n.state == PoolNode.State.Failed)
                        .sorted(Comparator.comparingInt(n -> n.ordinal)).limit(request.count()).toList();
                List<SpecificRecord> events = new ArrayList<>();
                Instant now = now();
                for (PoolNode n : free) {
                    if (n.token != null) {
                        n.attempt++;
                    }
                    n.token = request.token();
                    n.state = PoolNode.State.Creating;
                    n.instanceId = null;
                    n.address = null;
                    n.failureReason = null;
                    n.updatedAt = now;
                    events.add(NodeCreating.newBuilder().setPoolId(poolId).setNodeId(n.id).setRole(n.role).setOrdinal(n.ordinal)
                            .setToken(n.token).setAttempt(n.attempt).setAt(now).build());
                }
                return append(pool, events);
            });
        }));
    }

    /**
     * The create answered: its live nodes, in launch order, become the token's nodes in ordinal order (Launched); nodes
     * of the token the provider could not make (or made and lost) go back to Requested for a later create.
     */
    @WithTransaction
    public Uni<Void> created(String poolId, CreateRequest request, List<ProviderNode> made) {
        return wanting(poolId).chain(pool -> nodes(poolId).chain(nodes -> {
            List<PoolNode> ofToken = nodes.stream().filter(n -> request.token().equals(n.token))
                    .sorted(Comparator.comparingInt(n -> n.ordinal)).toList();
            // a repeated create also answers nodes gone since; the run replaces those, so rows wait for the replacement
            List<ProviderNode> launched = made.stream().filter(n -> n.state().alive()).sorted(Comparator.comparingInt(ProviderNode::launchIndex)
                    .thenComparing(ProviderNode::id)).toList();
            List<SpecificRecord> events = new ArrayList<>();
            Instant now = now();
            for (int i = 0; i < ofToken.size(); i++) {
                PoolNode n = ofToken.get(i);
                if (i < launched.size()) {
                    if (n.state == PoolNode.State.Creating) {
                        n.instanceId = launched.get(i).id();
                        n.state = PoolNode.State.Launched;
                        n.updatedAt = now;
                        events.add(NodeLaunched.newBuilder().setPoolId(poolId).setNodeId(n.id).setInstanceId(n.instanceId).setAt(now).build());
                    }
                } else if (n.state == PoolNode.State.Creating) {
                    n.state = PoolNode.State.Requested;
                    n.updatedAt = now;
                }
            }
            return append(pool, events);
        }));
    }

    /** Fewer nodes than asked could be made: the event, and the token's nodes without an instance wait for a new create. */
    @WithTransaction
    public Uni<Void> shortfall(String poolId, CreateRequest request, int missing, String reason) {
        return wanting(poolId).chain(pool -> nodes(poolId).chain(nodes -> {
            Instant now = now();
            nodes.stream().filter(n -> request.token().equals(n.token) && n.instanceId == null && n.state == PoolNode.State.Creating)
                    .forEach(n -> {
                        n.state = PoolNode.State.Requested;
                        n.updatedAt = now;
                    });
            return append(pool, List.of(PoolShortfall.newBuilder().setPoolId(poolId).setRole(request.role()).setMissing(missing)
                    .setReason(reason == null ? "capacity" : reason).setAt(now).build()));
        }));
    }

    @WithTransaction
    public Uni<Void> running(String poolId, ProviderNode node) {
        return changeNode(poolId, node, n -> {
            if (n.state != PoolNode.State.Launched && n.state != PoolNode.State.Creating) {
                return null;
            }
            n.state = PoolNode.State.Running;
            n.address = node.address();
            n.sshPort = node.sshPort();
            return NodeRunning.newBuilder().setPoolId(poolId).setNodeId(n.id).setInstanceId(n.instanceId)
                    .setAddress(String.valueOf(node.address())).setAt(n.updatedAt).build();
        });
    }

    @WithTransaction
    public Uni<Void> ready(String poolId, ProviderNode node, String hostKey) {
        return changeNode(poolId, node, n -> {
            if (n.state == PoolNode.State.Ready || n.state == PoolNode.State.Failed || n.state == PoolNode.State.Released) {
                return null;
            }
            n.state = PoolNode.State.Ready;
            n.address = node.address();
            n.sshPort = node.sshPort();
            n.hostKey = hostKey;
            return NodeReady.newBuilder().setPoolId(poolId).setNodeId(n.id).setInstanceId(n.instanceId)
                    .setAddress(String.valueOf(node.address())).setSshPort(node.sshPort()).setHostKey(hostKey).setAt(n.updatedAt).build();
        });
    }

    @WithTransaction
    public Uni<Void> failed(String poolId, ProviderNode node, String reason) {
        return changeNode(poolId, node, n -> {
            if (n.state == PoolNode.State.Failed || n.state == PoolNode.State.Released) {
                return null;
            }
            n.state = PoolNode.State.Failed;
            n.failureReason = clip(reason);
            return NodeFailed.newBuilder().setPoolId(poolId).setNodeId(n.id).setInstanceId(n.instanceId)
                    .setReason(n.failureReason).setAt(n.updatedAt).build();
        });
    }

    /**
     * Every node answers SSH: the pool is Ready, and PoolReady hands the nodes, how each is logged in to (by its
     * instance id: the user, and where the key file lies, never a secret) and their pinned keys to deploy-svc.
     */
    @WithTransaction
    public Uni<Pool> poolReady(String poolId, java.util.function.Function<String, SshLogin> loginOf) {
        return wanting(poolId).chain(pool -> nodes(poolId).chain(nodes -> {
            List<PoolNode> ready = nodes.stream().filter(n -> n.state == PoolNode.State.Ready)
                    .sorted(Comparator.comparing((PoolNode n) -> n.role).thenComparingInt(n -> n.ordinal)).toList();
            if (ready.size() != pool.nodeCount()) {
                return Uni.createFrom().failure(new IllegalStateException("pool " + poolId + " has " + ready.size() + " of "
                        + pool.nodeCount() + " nodes ready; it cannot be Ready"));
            }
            Instant now = now();
            pool.state = Pool.State.Ready;
            pool.readyAt = now;
            List<ReadyNode> handed = ready.stream().map(n -> ReadyNode.newBuilder().setNodeId(n.id).setRole(n.role)
                    .setInstanceId(n.instanceId).setAddress(n.address).setSshPort(n.sshPort).setHostKey(n.hostKey)
                    .setUser(loginOf.apply(n.instanceId).user()).setKeyFile(keyFile(loginOf.apply(n.instanceId))).build()).toList();
            return append(pool, List.of(PoolReady.newBuilder().setPoolId(poolId).setProvider(pool.provider).setNodes(handed).setAt(now).build()))
                    .replaceWith(pool);
        }));
    }

    private static String keyFile(SshLogin login) {
        return login.privateKey() == null ? null : login.privateKey().toAbsolutePath().toString();
    }

    /**
     * A request that can never be provisioned (deploy-svc asked for a cluster's pool from a provider that is not
     * configured, or under the id of a pool someone else asked for) is answered with {@code PoolRefused}, so the asker
     * learns why instead of waiting; no pool is recorded, and a pool of that id, if any, is not touched.
     */
    @WithTransaction
    public Uni<Void> refused(String poolId, String requestedBy, String reason, EventContext context) {
        return outbox.append(poolId, PoolRefused.newBuilder().setPoolId(poolId).setRequestedBy(requestedBy).setReason(clip(reason))
                .setAt(now()).build(), context).replaceWithVoid();
    }

    /** Provisioning stopped for good; the worker releases the nodes next. A pool being deleted stays so. */
    @WithTransaction
    public Uni<Void> poolFailed(String poolId, String reason) {
        return session().chain(s -> s.find(Pool.class, poolId)).chain(pool -> {
            if (pool == null || pool.state != Pool.State.Requested) {
                return Uni.createFrom().voidItem();
            }
            pool.state = Pool.State.Failed;
            pool.failureReason = clip(reason);
            pool.finishedAt = now();
            return append(pool, List.of(PoolFailed.newBuilder().setPoolId(poolId).setReason(pool.failureReason).setAt(pool.finishedAt).build()));
        });
    }

    /** Asks for a pool's deletion (any state but Deleted); the worker releases its nodes and then records PoolDeleted. */
    @WithTransaction
    public Uni<Pool> requestDelete(String poolId) {
        return session().chain(s -> s.find(Pool.class, poolId)).chain(pool -> {
            if (pool == null) {
                return Uni.createFrom().nullItem();
            }
            if (pool.state != Pool.State.Deleting && pool.state != Pool.State.Deleted) {
                pool.state = Pool.State.Deleting;
                // a worker provisioning it sees the change at its next step and gives it up; the lease then passes on
            }
            return Uni.createFrom().item(pool);
        });
    }

    /** A node (or a stray instance of the pool no node claims, {@code nodeId} null) was given back to the provider. */
    @WithTransaction
    public Uni<Void> released(String poolId, String instanceId, String reason) {
        return session().chain(s -> s.find(Pool.class, poolId)).chain(pool -> nodes(poolId).chain(nodes -> {
            PoolNode n = nodes.stream().filter(x -> instanceId.equals(x.instanceId)).findFirst().orElse(null);
            Instant now = now();
            if (n != null) {
                if (n.state == PoolNode.State.Released) {
                    return Uni.createFrom().voidItem();
                }
                if (n.state == PoolNode.State.Failed) {
                    // the failed node's instance is gone; the row waits for its replacement's create
                    n.instanceId = null;
                } else {
                    n.state = PoolNode.State.Released;
                }
                n.updatedAt = now;
            }
            SpecificRecord event = NodeReleased.newBuilder().setPoolId(poolId).setNodeId(n == null ? null : n.id)
                    .setInstanceId(instanceId).setReason(reason).setAt(now).build();
            return pool == null ? outbox.append(poolId, event, EventContext.newRequest(null)).replaceWithVoid() : append(pool, List.of(event));
        }));
    }

    /** The pool's nodes are all released: Deleted, and PoolDeleted. */
    @WithTransaction
    public Uni<Void> deleted(String poolId, int released) {
        return session().chain(s -> s.find(Pool.class, poolId)).chain(pool -> {
            if (pool == null || pool.state == Pool.State.Deleted) {
                return Uni.createFrom().voidItem();
            }
            pool.state = Pool.State.Deleted;
            pool.finishedAt = now();
            pool.worker = null;
            pool.leaseUntil = null;
            Uni<Void> done = append(pool, List.of(PoolDeleted.newBuilder().setPoolId(poolId).setReleased(released).setAt(pool.finishedAt).build()));
            if (pool.successorRequest == null) {
                return done;
            }
            Successor next;
            try {
                next = JSON.readValue(pool.successorRequest, Successor.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return Uni.createFrom().failure(new IllegalStateException("pool " + poolId + "'s waiting request cannot be read", e));
            }
            String by = pool.successorBy;
            return done.chain(() -> forget(pool))
                    .chain(() -> create(next.request(), by, new EventContext(next.correlationId(), null, next.traceparent())))
                    .replaceWithVoid();
        });
    }

    /** Which of these pools are being deleted. */
    @WithTransaction
    public Uni<List<String>> deletingAmong(java.util.Collection<String> poolIds) {
        List<String> ids = List.copyOf(poolIds);
        return session().chain(s -> s.createQuery("select id from Pool where id in (:ids) and state = :deleting", String.class)
                .setParameter("ids", ids).setParameter("deleting", Pool.State.Deleting).getResultList());
    }

    @WithTransaction
    public Uni<Pool> find(String poolId) {
        return session().chain(s -> s.find(Pool.class, poolId));
    }

    @WithTransaction
    public Uni<List<PoolNode>> nodesOf(String poolId) {
        return nodes(poolId);
    }

    @WithTransaction
    public Uni<List<Pool>> list(int limit) {
        return session().chain(s -> s.createQuery("from Pool order by requestedAt desc", Pool.class).setMaxResults(limit).getResultList());
    }

    /** Pools by id, for the reaper (ids it does not know are absent from the answer). */
    @WithTransaction
    public Uni<List<Pool>> findAll(java.util.Collection<String> ids) {
        return session().chain(s -> s.createQuery("from Pool where id in (:ids)", Pool.class).setParameter("ids", ids).getResultList());
    }

    /** Every node row of these pools, for the reaper. */
    @WithTransaction
    public Uni<List<PoolNode>> nodesOfAll(java.util.Collection<String> poolIds) {
        return session().chain(s -> s.createQuery("from PoolNode where poolId in (:ids)", PoolNode.class).setParameter("ids", poolIds).getResultList());
    }

    private Uni<Void> changeNode(String poolId, ProviderNode node, java.util.function.Function<PoolNode, SpecificRecord> change) {
        return wanting(poolId).chain(pool -> nodes(poolId).chain(nodes -> {
            PoolNode n = nodes.stream().filter(x -> node.id().equals(x.instanceId)).findFirst().orElse(null);
            if (n == null) {
                // a node of an older create of this pool (its row has moved on to a replacement): nothing to record
                return Uni.createFrom().voidItem();
            }
            n.updatedAt = now();
            SpecificRecord event = change.apply(n);
            return event == null ? Uni.createFrom().voidItem() : append(pool, List.of(event));
        }));
    }

    /** The pool, when it still wants its nodes (provisioning goes on); else {@link PoolCancelled}. */
    private Uni<Pool> wanting(String poolId) {
        return session().chain(s -> s.find(Pool.class, poolId)).map(pool -> {
            if (pool == null || !pool.state.wantsNodes()) {
                throw new PoolCancelled(poolId, pool == null ? "gone" : pool.state.name());
            }
            return pool;
        });
    }

    private Uni<List<PoolNode>> nodes(String poolId) {
        return session().chain(s -> s.createQuery("from PoolNode where poolId = :pool", PoolNode.class).setParameter("pool", poolId).getResultList());
    }

    private Uni<Void> append(Pool pool, List<SpecificRecord> events) {
        return append(pool, events, new EventContext(pool.correlationId, null, pool.traceparent));
    }

    /** The pool's events, under {@code context} (a request other than the one that made the pool). */
    private Uni<Void> append(Pool pool, List<SpecificRecord> events, EventContext context) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (SpecificRecord e : events) {
            chain = chain.chain(() -> outbox.append(pool.id, e, context)).replaceWithVoid();
        }
        return chain;
    }

    private static boolean sameShape(Pool existing, PoolRequest request) {
        if (!existing.provider.equals(request.provider()) || existing.roles.size() != request.roles().size()) {
            return false;
        }
        for (PoolRequest.RoleRequest r : request.roles()) {
            boolean match = existing.roles.stream().anyMatch(e -> e.role.equals(r.role()) && e.count == r.count()
                    && Objects.equals(e.size, r.size()) && Objects.equals(e.image, r.image()));
            if (!match) {
                return false;
            }
        }
        return true;
    }

    private static Uni<Mutiny.Session> session() {
        return Panache.getSession();
    }

    private static String clip(String s) {
        return s == null ? null : s.length() > 4000 ? s.substring(0, 3997) + "..." : s;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
