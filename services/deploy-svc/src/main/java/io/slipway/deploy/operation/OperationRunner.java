package io.slipway.deploy.operation;

import io.slipway.deploy.cluster.ClaimedOperation;
import io.slipway.deploy.cluster.ClaimedOperation.HostSnapshot;
import io.slipway.deploy.cluster.Cluster;
import io.slipway.deploy.cluster.ClusterHostRecord;
import io.slipway.deploy.cluster.OperationOutcome;
import io.slipway.deploy.cluster.OperationOutcome.Failure;
import io.slipway.deploy.cluster.OperationOutcome.Upgrade;
import io.slipway.deploy.clusterfile.ClusterHost;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.deploy.clusterfile.ClusterfileException;
import io.slipway.deploy.image.ClusterImages;
import io.slipway.deploy.image.ClusterImages.ImageUnavailable;
import io.slipway.deploy.install.ClusterInstaller;
import io.slipway.deploy.install.HostStep;
import io.slipway.deploy.install.InstallContext;
import io.slipway.deploy.install.InstallImage;
import io.slipway.deploy.install.InstallTarget;
import io.slipway.deploy.install.LaunchPlan;
import io.slipway.deploy.install.StepFailure;
import io.slipway.deploy.install.StepJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Runs one claimed operation to its outcome (plain Java, blocking): works out the hosts to install, clean or leave
 * from the desired Clusterfile and what each host has, drives the installer, and says what the cluster became.
 */
public final class OperationRunner {
    /** Resolves the image with when no host says its architecture (all unreachable), and opens images of no host. */
    private static final String DEFAULT_ARCH = "amd64";

    private final ClusterImages images;
    private final ClusterInstaller installer;
    private final int registryPort;
    private final Duration hookTimeout;

    public OperationRunner(ClusterImages images, ClusterInstaller installer, int registryPort, Duration hookTimeout) {
        this.images = images;
        this.installer = installer;
        this.registryPort = registryPort;
        this.hookTimeout = hookTimeout;
    }

    public OperationOutcome run(ClaimedOperation op, StepJournal journal) {
        Clusterfile desired;
        try {
            desired = Clusterfile.stored(op.clusterfile());
        } catch (ClusterfileException e) {
            return failed("the stored Clusterfile no longer parses: " + e.getMessage());
        }
        return switch (op.operation()) {
            case RUN, APPLY -> apply(op, desired, journal);
            case JOIN -> join(op, desired, journal);
            case REMOVE -> remove(op, desired, journal);
            case RESET -> reset(op, desired, journal);
            case DELETE -> delete(op, desired, journal);
        };
    }

    /** run/apply: the desired Clusterfile against what hosts have; hosts no longer listed are cleaned and dropped. */
    private OperationOutcome apply(ClaimedOperation op, Clusterfile desired, StepJournal journal) {
        Prepared p;
        try {
            p = prepare(op, desired, desired.hosts(), journal);
        } catch (ImageUnavailable | LaunchPlan.LaunchException e) {
            return failed(e.getMessage());
        }
        InstallImage image = p.context().image();
        List<String> desiredIps = desired.hosts().stream().map(ClusterHost::ip).toList();
        List<HostSnapshot> leaving = op.hosts().stream().filter(h -> !desiredIps.contains(h.ip())).toList();
        List<String> removed = new ArrayList<>();
        Map<String, Failure> failures = new LinkedHashMap<>();
        if (!leaving.isEmpty()) {
            // a host no longer listed is reached with the cluster-wide ssh settings
            Map<String, StepFailure> cleanFailures = installer.clean(p.context(), leaving.stream()
                    .map(h -> new InstallTarget(h.ip(), h.roles(), SshTargets.of(new ClusterHost(h.ip(), h.roles(), desired.ssh(),
                            desired.env(), Map.of(), List.of())), desired.env(), null)).toList(), journal);
            leaving.forEach(h -> {
                if (cleanFailures.containsKey(h.ip())) {
                    failures.put(h.ip(), failure(cleanFailures.get(h.ip())));
                } else {
                    removed.add(h.ip());
                }
            });
        }
        ClusterInstaller.Report report = installer.install(p.context(), p.targets(), journal);
        p.failed().forEach((ip, f) -> failures.put(ip, failure(f)));
        report.failures().forEach((ip, f) -> failures.put(ip, failure(f)));
        Map<String, String> installed = p.installedDigests(report);
        Upgrade upgrade = null;
        Optional<InstallImage> previousImage = op.imageDigest() == null || op.imageDigest().equals(image.digest().toString())
                ? Optional.empty() : images.installed(op.imageDigest(), image.architecture());
        if (previousImage.isPresent() && !installed.isEmpty()) {
            upgrade = new Upgrade(op.imageDigest(), image.digest().toString(),
                    image.layersNotIn(previousImage.get()).stream().map(l -> l.digest().toString()).toList(),
                    report.bytesSent(), report.hooksRun());
        }
        Cluster.State state;
        String message;
        if (failures.isEmpty()) {
            state = Cluster.State.Ready;
            message = desired.hosts().size() + " host(s) ready on " + image.reference();
        } else if (installed.isEmpty() && op.hosts().stream().noneMatch(h -> h.state() == ClusterHostRecord.State.Member)) {
            state = Cluster.State.Failed;
            message = describe(failures);
        } else {
            state = Cluster.State.Degraded;
            message = describe(failures);
        }
        return new OperationOutcome(state, message, installed.isEmpty() ? null : image.digest().toString(), null, installed,
                failures, removed, true, List.of(), upgrade, List.of());
    }

    /** join: installs only the new hosts; a host that fails is cleaned and taken out, never left a member. */
    private OperationOutcome join(ClaimedOperation op, Clusterfile desired, StepJournal journal) {
        Prepared p;
        try {
            p = prepare(op, desired, desired.hosts().stream().filter(h -> op.operationHosts().contains(h.ip())).toList(), journal);
        } catch (ImageUnavailable | LaunchPlan.LaunchException e) {
            return new OperationOutcome(settledState(op), "join failed: " + e.getMessage(), null,
                    desired.withoutHosts(op.operationHosts()).toYaml(), Map.of(), Map.of(), op.operationHosts(), false,
                    List.of(), null, List.of());
        }
        ClusterInstaller.Report report = installer.install(p.context(), p.targets(), journal);
        Map<String, Failure> failures = new LinkedHashMap<>();
        p.failed().forEach((ip, f) -> failures.put(ip, failure(f)));
        report.failures().forEach((ip, f) -> failures.put(ip, failure(f)));
        List<InstallTarget> failed = p.all().stream().filter(t -> failures.containsKey(t.ip())).toList();
        if (!failed.isEmpty()) {
            installer.clean(p.context(), failed, journal); // best effort: a host that cannot be reached has nothing to undo
        }
        Map<String, String> installed = p.installedDigests(report);
        List<String> dropped = failed.stream().map(InstallTarget::ip).toList();
        String message = failures.isEmpty() ? "joined " + String.join(", ", installed.keySet())
                : "join failed and was rolled back for " + describe(failures);
        return new OperationOutcome(settledState(op), message, null,
                dropped.isEmpty() ? null : desired.withoutHosts(dropped).toYaml(), installed, Map.of(), dropped, true,
                List.of(), null, List.of());
    }

    /**
     * The hosts to install, each with its architecture and the image it has now; the context with each architecture's
     * variant of the image; and the hosts that failed before any step (unreachable, or no variant for them).
     */
    private record Prepared(InstallContext context, List<InstallTarget> all, List<InstallTarget> targets, Map<String, StepFailure> failed) {
        Map<String, String> installedDigests(ClusterInstaller.Report report) {
            Map<String, String> installed = new LinkedHashMap<>();
            for (InstallTarget t : targets) {
                if (report.succeeded().contains(t.ip())) {
                    installed.put(t.ip(), context.imageFor(t).digest().toString());
                }
            }
            return installed;
        }
    }

    /**
     * Asks the hosts their architecture, then resolves the image for each: a multi-platform CloudImage gives every host
     * its own variant (a host whose architecture it lacks fails its preflight, saying which it has), a single-platform
     * one is the image of all (preflight names a host it does not suit). The cluster's image is master0's variant.
     */
    private Prepared prepare(ClaimedOperation op, Clusterfile desired, List<ClusterHost> hosts, StepJournal journal)
            throws ImageUnavailable, LaunchPlan.LaunchException {
        List<InstallTarget> plain = hosts.stream()
                .map(h -> new InstallTarget(h.ip(), h.roles(), SshTargets.of(h), hostEnv(h, desired), null)).toList();
        ClusterInstaller.Probe probe = installer.architectures(plain, journal);
        List<String> architectures = new ArrayList<>();
        desired.hosts().stream().filter(OperationRunner::isMaster).findFirst().map(m -> probe.architectures().get(m.ip()))
                .ifPresent(architectures::add);
        plain.stream().map(t -> probe.architectures().get(t.ip())).filter(a -> a != null && !architectures.contains(a))
                .forEach(architectures::add);
        if (architectures.isEmpty()) {
            architectures.add(DEFAULT_ARCH); // no host answered: the image must still exist, and its launch make sense
        }
        Map<String, InstallImage> byArch = new LinkedHashMap<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        for (String arch : architectures) {
            try {
                byArch.put(arch, images.resolve(desired.image(), arch));
            } catch (ImageUnavailable e) {
                unavailable.put(arch, e.getMessage());
            }
        }
        if (byArch.isEmpty()) {
            throw new ImageUnavailable(unavailable.values().iterator().next());
        }
        InstallImage image = byArch.values().iterator().next();
        InstallContext context = installContext(desired, image).withPlatformImages(byArch);
        Map<String, StepFailure> failed = new LinkedHashMap<>(probe.failures());
        Map<String, StepFailure> noVariant = new LinkedHashMap<>();
        Map<String, InstallImage> installedByDigest = new HashMap<>();
        List<InstallTarget> all = new ArrayList<>();
        List<InstallTarget> targets = new ArrayList<>();
        for (InstallTarget t : plain) {
            String arch = probe.architectures().get(t.ip());
            InstallTarget withArch = t.withArchitecture(arch);
            if (arch != null && unavailable.containsKey(arch)) {
                noVariant.put(t.ip(), new StepFailure(t.ip(), HostStep.PREFLIGHT, "the host is " + arch + ": " + unavailable.get(arch)
                        + " (the " + String.join(", ", byArch.keySet()) + " hosts install): build the image for linux/" + arch + " too",
                        false));
            }
            InstallTarget target = withArch.withInstalled(installedImage(op, t.ip(), context.imageFor(withArch), installedByDigest, arch));
            all.add(target);
            if (!failed.containsKey(t.ip()) && !noVariant.containsKey(t.ip())) {
                targets.add(target);
            }
        }
        ClusterInstaller.recordPreflightFailures(noVariant, journal);
        failed.putAll(noVariant);
        return new Prepared(context, all, targets, failed);
    }

    /** scale-down: cleans the hosts and drops them; one that cannot be cleaned stays (use force to drop it anyway). */
    private OperationOutcome remove(ClaimedOperation op, Clusterfile desired, StepJournal journal) {
        InstallContext context = context(desired, images.installed(op.imageDigest(), DEFAULT_ARCH).orElse(null));
        List<InstallTarget> targets = desired.hosts().stream().filter(h -> op.operationHosts().contains(h.ip()))
                .map(h -> new InstallTarget(h.ip(), h.roles(), SshTargets.of(h), h.env(), null)).toList();
        Map<String, StepFailure> cleanFailures = installer.clean(context, targets, journal);
        List<String> removed = new ArrayList<>();
        Map<String, Failure> failures = new LinkedHashMap<>();
        for (InstallTarget t : targets) {
            if (!cleanFailures.containsKey(t.ip()) || op.force()) {
                removed.add(t.ip());
            } else {
                failures.put(t.ip(), failure(cleanFailures.get(t.ip())));
            }
        }
        Cluster.State state = failures.isEmpty() ? settledState(op) : Cluster.State.Degraded;
        String message = failures.isEmpty() ? "removed " + String.join(", ", removed)
                : "could not clean " + describe(failures) + " (retry, or remove with --force to drop without clean-up)";
        return new OperationOutcome(state, message, null, desired.withoutHosts(removed).toYaml(), Map.of(), failures, removed,
                cleanFailures.isEmpty(), List.of(), null, List.of());
    }

    /** reset: cleans the hosts but keeps them desired; the next apply installs them afresh. */
    private OperationOutcome reset(ClaimedOperation op, Clusterfile desired, StepJournal journal) {
        InstallContext context = context(desired, images.installed(op.imageDigest(), DEFAULT_ARCH).orElse(null));
        List<InstallTarget> targets = desired.hosts().stream().filter(h -> op.operationHosts().contains(h.ip()))
                .map(h -> new InstallTarget(h.ip(), h.roles(), SshTargets.of(h), h.env(), null)).toList();
        Map<String, StepFailure> cleanFailures = installer.clean(context, targets, journal);
        Map<String, Failure> failures = new LinkedHashMap<>();
        cleanFailures.forEach((ip, f) -> failures.put(ip, failure(f)));
        List<String> reset = targets.stream().map(InstallTarget::ip).filter(ip -> !failures.containsKey(ip)).toList();
        String message = failures.isEmpty() ? "reset " + String.join(", ", reset) + "; apply to install again"
                : "reset failed for " + describe(failures);
        return new OperationOutcome(Cluster.State.Degraded, message, null, null, Map.of(), failures, List.of(), true, reset,
                null, List.of());
    }

    /** delete --all: cleans every host, also after a failed or half install; force drops hosts that cannot be reached. */
    private OperationOutcome delete(ClaimedOperation op, Clusterfile desired, StepJournal journal) {
        InstallContext context = context(desired, images.installed(op.imageDigest(), DEFAULT_ARCH).orElse(null));
        List<InstallTarget> targets = desired.hosts().stream()
                .map(h -> new InstallTarget(h.ip(), h.roles(), SshTargets.of(h), h.env(), null)).toList();
        Map<String, StepFailure> cleanFailures = installer.clean(context, targets, journal);
        List<String> all = targets.stream().map(InstallTarget::ip).toList();
        if (cleanFailures.isEmpty() || op.force()) {
            return new OperationOutcome(Cluster.State.Deleted, cleanFailures.isEmpty() ? "deleted"
                    : "deleted; not cleaned (unreachable): " + String.join(", ", cleanFailures.keySet()), null, null,
                    Map.of(), Map.of(), all, cleanFailures.isEmpty(), List.of(), null, List.copyOf(cleanFailures.keySet()));
        }
        Map<String, Failure> failures = new LinkedHashMap<>();
        cleanFailures.forEach((ip, f) -> failures.put(ip, failure(f)));
        List<String> cleaned = all.stream().filter(ip -> !failures.containsKey(ip)).toList();
        return new OperationOutcome(Cluster.State.Degraded, "delete incomplete: " + describe(failures)
                + " (retry, or delete --force to drop them without clean-up)", null, desired.withoutHosts(cleaned).toYaml(),
                Map.of(), failures, cleaned, true, List.of(), null, List.of());
    }

    /** For clean-up: what the hosts have is removed, nothing is launched. */
    private InstallContext context(Clusterfile desired, InstallImage image) {
        return new InstallContext(desired.name(), image, desired.dataRoot(),
                desired.hosts().stream().filter(OperationRunner::isMaster).map(ClusterHost::ip).toList(),
                desired.hosts().stream().filter(h -> !isMaster(h)).map(ClusterHost::ip).toList(), registryPort, hookTimeout,
                LaunchPlan.NONE);
    }

    /** For an install: what master0 launches, from the image and the Clusterfile's cmd, cmd_args and appNames. */
    private InstallContext installContext(Clusterfile desired, InstallImage image) throws LaunchPlan.LaunchException {
        LaunchPlan launch = LaunchPlan.of(image.reference(), image.metadata(), desired.cmd(), desired.cmdArgs(),
                desired.appNames().isEmpty() ? null : desired.appNames());
        return new InstallContext(desired.name(), image, desired.dataRoot(),
                desired.hosts().stream().filter(OperationRunner::isMaster).map(ClusterHost::ip).toList(),
                desired.hosts().stream().filter(h -> !isMaster(h)).map(ClusterHost::ip).toList(), registryPort(desired), hookTimeout,
                launch);
    }

    /** The Clusterfile's registry.localRegistry.port, else the service's. */
    private int registryPort(Clusterfile desired) {
        Integer port = desired.registry().localPort();
        return port != null && port > 0 ? port : registryPort;
    }

    /**
     * A host's env for its hooks and templates: the Clusterfile's, plus what of its host group Slipway itself cannot
     * apply to a workload it does not know (labels, taints) and the local registry's domain, for the image's hooks.
     */
    private static Map<String, String> hostEnv(ClusterHost h, Clusterfile desired) {
        Map<String, String> env = new LinkedHashMap<>(h.env());
        if (!h.labels().isEmpty()) {
            // in key order: the value is part of the host's revision, which must not change with a map's iteration order
            env.put("SLIPWAY_LABELS", new java.util.TreeMap<>(h.labels()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",")));
        }
        if (!h.taints().isEmpty()) {
            env.put("SLIPWAY_TAINTS", String.join(",", h.taints()));
        }
        if (desired.registry().localDomain() != null) {
            env.put("SLIPWAY_REGISTRY_DOMAIN", desired.registry().localDomain());
        }
        return env;
    }

    /** The image a host has installed now, as the store knows it by the digest recorded for the host (null when fresh). */
    private InstallImage installedImage(ClaimedOperation op, String ip, InstallImage image, Map<String, InstallImage> byDigest,
                                        String arch) {
        String digest = op.hosts().stream().filter(s -> s.ip().equals(ip)).map(HostSnapshot::installedDigest)
                .filter(d -> d != null).findFirst().orElse(null);
        if (digest == null) {
            return null;
        }
        return digest.equals(image.digest().toString()) ? image
                : byDigest.computeIfAbsent(digest, d -> images.installed(d, arch == null ? image.architecture() : arch).orElse(null));
    }

    private static Cluster.State settledState(ClaimedOperation op) {
        boolean allMembers = op.hosts().stream().filter(h -> !op.operationHosts().contains(h.ip()))
                .allMatch(h -> h.state() == ClusterHostRecord.State.Member);
        return allMembers ? Cluster.State.Ready : Cluster.State.Degraded;
    }

    private static Failure failure(StepFailure f) {
        return new Failure(f.step().label(), f.reason(), f.transientFault());
    }

    private static String describe(Map<String, Failure> failures) {
        return failures.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue().step() + "): " + e.getValue().reason())
                .collect(Collectors.joining("; "));
    }

    private static OperationOutcome failed(String reason) {
        return new OperationOutcome(Cluster.State.Failed, reason, null, null, Map.of(), Map.of(), List.of(), true, List.of(),
                null, List.of());
    }

    private static boolean isMaster(ClusterHost h) {
        return h.roles().contains("master");
    }
}
