package io.slipway.deploy.operation;

import io.slipway.deploy.image.ClusterImages;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.slipway.deploy.cluster.Cluster;
import io.slipway.deploy.cluster.ClusterOperation;
import io.slipway.deploy.cluster.ClusterAdmission;
import io.slipway.deploy.cluster.ClusterAdmission.Requested;
import io.slipway.deploy.cluster.Clusters;
import io.slipway.deploy.cluster.OperationRequest;
import io.slipway.deploy.cluster.OperationRequest.DesiredHost;
import io.slipway.deploy.clusterfile.ClusterHost;
import io.slipway.deploy.clusterfile.ClusterPlan;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.deploy.clusterfile.HostKeys;
import io.slipway.deploy.clusterfile.InfraSpec;
import io.slipway.deploy.secret.DeploySecrets;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns requests (REST, CI on Kafka) into validated operations on the Cluster aggregate: parses and checks the
 * Clusterfile (a 400 names line and field), edits it for join/remove, refuses what cannot be done in place, and wakes
 * a worker.
 */
@ApplicationScoped
public class ClusterRequests {
    private final Clusters clusters;
    private final ClusterAdmission admission;
    private final DeployWorker worker;
    private final ClusterImages images;
    private final DeploySecrets secrets;

    ClusterRequests(Clusters clusters, ClusterAdmission admission, DeployWorker worker, ClusterImages images, DeploySecrets secrets) {
        this.secrets = secrets;
        this.clusters = clusters;
        this.admission = admission;
        this.worker = worker;
        this.images = images;
    }

    public Uni<Requested> apply(String clusterfileYaml, String requestId, String requestedBy, EventContext context) {
        Clusterfile parsed = Clusterfile.parse(clusterfileYaml == null ? "" : clusterfileYaml, "Clusterfile");
        return secrets.resolve(parsed).chain(given -> clusters.find(given.name()).chain(current -> {
            Clusterfile before = live(current) ? Clusterfile.stored(current.clusterfile) : null;
            Clusterfile desired = desired(current, before, given);
            ClusterPlan.between(before, desired); // refuses a host changing role in place
            boolean run = before == null;
            // a new cluster asks for its pool; a live one whose infra section grew asks for the larger pool
            boolean askPool = desired.infra() != null && (run || !desired.infra().equals(before.infra()));
            return verified(desired, desired.hosts().stream().map(ClusterHost::ip).toList(), "spec.hostKeys")
                    .chain(() -> submit(new OperationRequest(run ? ClusterOperation.RUN : ClusterOperation.APPLY, desired.name(),
                            desired.image(), desired.toYaml(), desired.masked().toYaml(), desiredHosts(desired), List.of(), false, requestId,
                            requestedBy, askPool ? desired.infra() : null), context));
        }));
    }

    /** What {@code given} asks of the cluster as it is; while its pool is awaited, the request meets the pending operation (409). */
    private static Clusterfile desired(Cluster current, Clusterfile before, Clusterfile given) {
        return current != null && current.awaitingPool != null ? given : onItsPool(before, given);
    }

    /**
     * A Clusterfile with an infra section names no hosts: a new cluster waits for its pool; a live one keeps the pool's
     * nodes it has. Changing the pool of a live cluster (or switching between listed hosts and a pool) is refused.
     */
    static Clusterfile onItsPool(Clusterfile before, Clusterfile given) {
        if (before == null) {
            return given;
        }
        String name = given.name();
        if (before.infra() == null) {
            if (given.infra() != null) {
                throw new InvalidRequest("spec.infra", "cluster " + name + " runs on listed hosts; delete it before giving it a pool");
            }
            return given;
        }
        if (given.infra() == null) {
            throw new InvalidRequest("spec.hosts", "cluster " + name + "'s hosts come from its pool: keep the infra section (delete the "
                    + "cluster to run it on listed hosts)");
        }
        if (!grows(before.infra(), given.infra())) {
            throw new InvalidRequest("spec.infra", "cluster " + name + " has its pool (" + before.infra().describe() + "); a live cluster's pool can "
                    + "grow (larger counts, the same provider, sizes and images), not shrink or change: delete the cluster and apply again");
        }
        if (before.awaitsPool()) {
            throw new InvalidRequest("spec.infra", "cluster " + name + " never received its pool (see its message): delete the cluster "
                    + "and apply again");
        }
        return given.withHostGroups(before.hostGroups());
    }

    /** Whether {@code after} is {@code before} or larger: the same provider, each role's size and image, no count smaller. */
    static boolean grows(InfraSpec before, InfraSpec after) {
        if (!before.provider().equals(after.provider())) {
            return false;
        }
        for (InfraSpec.Role was : before.roles()) {
            InfraSpec.Role now = after.roles().stream().filter(r -> r.role().equals(was.role())).findFirst().orElse(null);
            if (now == null || now.count() < was.count() || !java.util.Objects.equals(now.size(), was.size())
                    || !java.util.Objects.equals(now.image(), was.image())) {
                return false;
            }
        }
        return true;
    }

    private record Found(Clusterfile given, Cluster current) {
    }

    /** What an apply would do, without doing it. */
    public Uni<Map<String, Object>> plan(String clusterfileYaml) {
        Clusterfile parsed = Clusterfile.parse(clusterfileYaml == null ? "" : clusterfileYaml, "Clusterfile");
        // the stores are files: looked at on a worker thread, not the event loop
        return secrets.resolve(parsed).chain(resolved -> clusters.find(resolved.name()).map(c -> new Found(resolved, c)))
                .emitOn(Infrastructure.getDefaultWorkerPool()).map(found -> {
            Clusterfile given = found.given();
            Cluster current = found.current();
            Clusterfile before = live(current) ? Clusterfile.stored(current.clusterfile) : null;
            Clusterfile desired = desired(current, before, given);
            ClusterPlan plan = ClusterPlan.between(before, desired);
            Map<String, Object> answer = new java.util.LinkedHashMap<>(Map.of("cluster", desired.name(), "exists", before != null,
                    "plan", plan, "changed", !plan.isEmpty()));
            if (before == null && desired.infra() != null) {
                answer.put("pool", desired.infra()); // the hosts the apply would ask infra-svc for
            }
            List<String> warnings = new ArrayList<>();
            if (plan.imageChanged() || !plan.hostsToAdd().isEmpty()) {
                images.availability(desired.image()).ifPresent(warnings::add);
            }
            List<String> unverified = worker.unverified(desired, desired.hosts().stream().map(ClusterHost::ip).toList());
            if (!unverified.isEmpty()) {
                warnings.add(unverifiedMessage(unverified, "spec.hostKeys"));
            }
            answer.put("warnings", warnings);
            return answer;
        });
    }

    public Uni<Requested> join(String name, List<String> masters, List<String> nodes, HostKeys keys, String requestId,
                                        String requestedBy, EventContext context) {
        if (masters.isEmpty() && nodes.isEmpty()) {
            throw new InvalidRequest("masters", "give at least one host to join (-m or -n)");
        }
        for (String ip : keys.pinned().keySet()) {
            if (!masters.contains(ip) && !nodes.contains(ip)) {
                throw new InvalidRequest("hostKeys", ip + " is not one of the hosts to join");
            }
        }
        return existing(name).chain(current -> {
            Clusterfile before = Clusterfile.stored(current.clusterfile);
            if (before.masters().isEmpty()) {
                throw new InvalidRequest("hosts", "cluster " + name + " has no master left (a delete stopped half-way): finish it with delete");
            }
            if (before.infra() != null && !before.ssh().hasCredentials()) {
                // a joined host logs in with the cluster's ssh; this cluster's pool nodes log in with the provider's key
                throw new InvalidRequest("hosts", "cluster " + name + "'s hosts come from its pool and log in with the provider's key; "
                        + "to join other hosts, give the Clusterfile's spec.ssh credentials they accept and apply it first");
            }
            List<String> joining = new ArrayList<>(masters);
            joining.addAll(nodes);
            for (String ip : joining) {
                if (before.hosts().stream().anyMatch(h -> h.ip().equals(ip))) {
                    throw new InvalidRequest("hosts", ip + " is already in cluster " + name);
                }
            }
            // the cluster's stored credentials go to the joining hosts only if their keys are given or first use is asked for now
            Clusterfile after = before.withHosts(masters, nodes).withHostKeys(before.hostKeys().with(keys.pinned(), keys.firstUse()));
            return verified(after, joining, "hostKeys").chain(() -> submit(new OperationRequest(ClusterOperation.JOIN, name,
                    after.image(), after.toYaml(), after.masked().toYaml(), desiredHosts(after), joining, false, requestId, requestedBy),
                    context));
        });
    }

    public Uni<Requested> remove(String name, List<String> hosts, boolean force, String requestId, String requestedBy,
                                          EventContext context) {
        return hostsOperation(ClusterOperation.REMOVE, name, hosts, force, requestId, requestedBy, context);
    }

    public Uni<Requested> reset(String name, List<String> hosts, String requestId, String requestedBy, EventContext context) {
        return hostsOperation(ClusterOperation.RESET, name, hosts, false, requestId, requestedBy, context);
    }

    public Uni<Requested> delete(String name, boolean force, String requestId, String requestedBy, EventContext context) {
        return existing(name).chain(current -> {
            Clusterfile cf = Clusterfile.stored(current.clusterfile);
            return submit(new OperationRequest(ClusterOperation.DELETE, name, cf.image(), cf.toYaml(), cf.masked().toYaml(),
                    desiredHosts(cf), List.of(), force, requestId, requestedBy), context);
        });
    }

    private Uni<Requested> hostsOperation(ClusterOperation op, String name, List<String> hosts, boolean force,
                                                   String requestId, String requestedBy, EventContext context) {
        if (hosts.isEmpty()) {
            throw new InvalidRequest("hosts", "give the hosts to " + op.label());
        }
        return existing(name).chain(current -> {
            Clusterfile cf = Clusterfile.stored(current.clusterfile);
            for (String ip : hosts) {
                if (cf.hosts().stream().noneMatch(h -> h.ip().equals(ip))) {
                    throw new InvalidRequest("hosts", ip + " is not in cluster " + name);
                }
            }
            if (op == ClusterOperation.REMOVE && cf.hosts().stream().filter(h -> h.roles().contains("master"))
                    .allMatch(h -> hosts.contains(h.ip()))) {
                throw new InvalidRequest("hosts", "removing every master leaves no cluster: use delete --all");
            }
            return submit(new OperationRequest(op, name, cf.image(), cf.toYaml(), cf.masked().toYaml(), desiredHosts(cf), hosts,
                    force, requestId, requestedBy), context);
        });
    }

    /**
     * Pins the keys {@code cf} gives for {@code ips} (and allows first use where it asks), then refuses the request if a
     * host would still get credentials with no way to tell it is the machine meant: better a 400 now than a failed step.
     */
    private Uni<Void> verified(Clusterfile cf, List<String> ips, String field) {
        Runnable check = () -> {
            List<String> refused = worker.trust(cf, ips);
            if (!refused.isEmpty()) {
                throw new InvalidRequest(field, unverifiedMessage(refused, field));
            }
        };
        // the pins are a file: written on a worker thread, then back on the caller's context, where the database session is
        io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
        if (caller == null) {
            check.run();
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().voidItem().invoke(check).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .emitOn(r -> caller.runOnContext(v -> r.run()));
    }

    private static String unverifiedMessage(List<String> hosts, String field) {
        return "no SSH host key is known for " + String.join(", ", hosts) + ", so deploy-svc would send credentials to whatever answers "
                + "there: give each host's key in " + field + " (ssh-keyscan -t ed25519 HOST, or its SHA256: fingerprint from ssh-keygen "
                + "-l), or ask for trust on first use (trustOnFirstUse: true)";
    }

    private Uni<Cluster> existing(String name) {
        return clusters.find(name).map(c -> {
            if (!live(c)) {
                throw NotFound.of("cluster", name);
            }
            return c;
        });
    }

    private Uni<Requested> submit(OperationRequest request, EventContext context) {
        return admission.admit(request, context).invoke(r -> {
            if (r.changed()) {
                worker.wake();
            }
        });
    }

    private static boolean live(Cluster c) {
        return c != null && c.state != Cluster.State.Deleted;
    }

    private static List<DesiredHost> desiredHosts(Clusterfile cf) {
        return cf.hosts().stream().map((ClusterHost h) -> new DesiredHost(h.ip(), h.roles())).toList();
    }
}
