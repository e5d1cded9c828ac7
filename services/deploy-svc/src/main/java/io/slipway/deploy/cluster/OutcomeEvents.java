package io.slipway.deploy.cluster;

import static io.slipway.deploy.cluster.ClusterRows.bound;

import io.slipway.deploy.cluster.OperationOutcomes.HostChanges;
import io.slipway.events.deploy.AddedHost;
import io.slipway.events.deploy.ClusterDegraded;
import io.slipway.events.deploy.ClusterFailed;
import io.slipway.events.deploy.ClusterMember;
import io.slipway.events.deploy.ClusterReady;
import io.slipway.events.deploy.Deleted;
import io.slipway.events.deploy.HostProblem;
import io.slipway.events.deploy.HostsAdded;
import io.slipway.events.deploy.HostsRemoved;
import io.slipway.events.deploy.Upgraded;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * The events that say what an operation's outcome did, in the order they are published: hosts removed, hosts added, the
 * upgrade, then the cluster's settled state (Ready, Degraded, Failed or Deleted).
 */
final class OutcomeEvents {
    private OutcomeEvents() {
    }

    /**
     * @param c     the cluster, already settled by the outcome
     * @param hosts its hosts after the outcome
     * @param pool  the pool a deleted cluster leaves for infra-svc to release, or null
     */
    static List<SpecificRecord> of(Cluster c, OperationOutcome o, HostChanges hosts, String pool, Instant at) {
        List<SpecificRecord> events = new ArrayList<>();
        if (!o.removed().isEmpty()) {
            events.add(HostsRemoved.newBuilder().setCluster(c.name).setGeneration(c.generation).setHosts(o.removed())
                    .setCleaned(o.removedCleaned()).setReason(c.operation == null ? "" : c.operation.label()).setAt(at).build());
        }
        if (!hosts.joined().isEmpty()) {
            events.add(HostsAdded.newBuilder().setCluster(c.name).setGeneration(c.generation).setHosts(hosts.joined().stream()
                    .map(h -> AddedHost.newBuilder().setIp(h.ip).setRoles(roles(h)).build()).toList()).setAt(at).build());
        }
        if (o.upgrade() != null) {
            OperationOutcome.Upgrade u = o.upgrade();
            events.add(Upgraded.newBuilder().setCluster(c.name).setGeneration(c.generation).setFromDigest(u.fromDigest())
                    .setToDigest(u.toDigest()).setChangedLayers(u.changedLayers()).setBytesSent(u.bytesSent())
                    .setHooksRerun(u.hooksRerun()).setAt(at).build());
        }
        events.add(settled(c, o, hosts.remaining(), pool, at));
        return events;
    }

    private static SpecificRecord settled(Cluster c, OperationOutcome o, List<ClusterHostRecord> hosts, String pool, Instant at) {
        return switch (o.state()) {
            case Ready -> ClusterReady.newBuilder().setCluster(c.name).setGeneration(c.generation)
                    .setImage(Objects.requireNonNullElse(c.image, "")).setImageDigest(Objects.requireNonNullElse(c.imageDigest, ""))
                    .setMembers(hosts.stream().filter(h -> h.state == ClusterHostRecord.State.Member)
                            .map(h -> ClusterMember.newBuilder().setIp(h.ip).setRoles(roles(h)).build()).toList())
                    .setAt(at).build();
            case Degraded -> ClusterDegraded.newBuilder().setCluster(c.name).setGeneration(c.generation)
                    .setProblems(problems(o, hosts)).setAt(at).build();
            case Failed -> ClusterFailed.newBuilder().setCluster(c.name).setGeneration(c.generation)
                    .setReason(c.message).setAt(at).build();
            case Deleted -> Deleted.newBuilder().setCluster(c.name).setGeneration(c.generation)
                    .setForced(c.operationForce).setUncleanedHosts(o.uncleaned()).setPoolId(pool).setAt(at).build();
            default -> throw new IllegalArgumentException("an operation cannot end in " + o.state());
        };
    }

    /** Each failed host with its step and reason, then each other host that is not a member, with why. */
    private static List<HostProblem> problems(OperationOutcome o, List<ClusterHostRecord> hosts) {
        List<HostProblem> problems = new ArrayList<>();
        o.failures().forEach((ip, f) -> problems.add(HostProblem.newBuilder().setHost(ip).setStep(f.step()).setReason(bound(f.reason())).build()));
        hosts.stream().filter(h -> h.state != ClusterHostRecord.State.Member && !o.failures().containsKey(h.ip))
                .forEach(h -> problems.add(HostProblem.newBuilder().setHost(h.ip).setStep(Objects.requireNonNullElse(h.step, ""))
                        .setReason(h.state == ClusterHostRecord.State.Pending ? "not installed (reset or pending): apply to install it"
                                : Objects.requireNonNullElse(h.error, h.state.name())).build()));
        return problems;
    }

    private static List<String> roles(ClusterHostRecord h) {
        return List.of(h.roles.split(","));
    }
}
