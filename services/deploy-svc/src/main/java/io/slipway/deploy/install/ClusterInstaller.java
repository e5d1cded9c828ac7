package io.slipway.deploy.install;

import io.slipway.deploy.install.InstallImage.HookFile;
import io.slipway.deploy.install.StepJournal.StepResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Installs (or upgrades) a CloudImage on a set of hosts: per host preflight, distribute, unpack, render in parallel;
 * hooks on masters one by one, then on nodes in parallel; then the registry and CMDS on master0. Every step is
 * recorded in the journal and skipped when already completed for the host's revision, so a rerun after a crash
 * continues where it stopped. One host's failure never stops the others: it is reported and the rest go on.
 */
public final class ClusterInstaller {
    private final HostSteps steps;
    private final int parallelism;

    public ClusterInstaller(HostSteps steps, int parallelism) {
        this.steps = steps;
        this.parallelism = Math.max(1, parallelism);
    }

    /** What an install did: failed hosts with their step and reason, bytes sent, hooks rerun (for upgrades). */
    public record Report(Map<String, StepFailure> failures, Set<String> succeeded, long bytesSent, List<String> hooksRun) {
        public boolean clean() {
            return failures.isEmpty();
        }
    }

    public Report install(InstallContext c, List<InstallTarget> targets, StepJournal journal) {
        Map<String, StepFailure> failures = Collections.synchronizedMap(new LinkedHashMap<>());
        AtomicLong bytes = new AtomicLong();
        List<String> hooksRun = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        Semaphore slots = new Semaphore(parallelism);
        try {
            // 1. per host, in parallel: preflight -> distribute -> unpack -> render
            forEach(pool, slots, targets, t -> {
                for (HostStep step : List.of(HostStep.PREFLIGHT, HostStep.DISTRIBUTE, HostStep.UNPACK, HostStep.RENDER)) {
                    StepResult r = run(c, t, step, journal, () -> switch (step) {
                        case PREFLIGHT -> steps.preflight(c, t);
                        case DISTRIBUTE -> steps.distribute(c, t);
                        case UNPACK -> steps.unpack(c, t);
                        default -> steps.render(c, t, upgrade(c, t));
                    });
                    if (r != null) {
                        bytes.addAndGet(r.bytesSent());
                    }
                }
            }, failures);
            // 2. hooks: masters in the Clusterfile's order one by one (etcd, kubeadm and the like join one at a time),
            //    then every node at once
            List<InstallTarget> ready = targets.stream().filter(t -> !failures.containsKey(t.ip())).toList();
            List<InstallTarget> masters = ready.stream().filter(InstallTarget::isMaster)
                    .sorted((a, b) -> Integer.compare(c.masters().indexOf(a.ip()), c.masters().indexOf(b.ip()))).toList();
            for (InstallTarget m : masters) {
                forEach(pool, new Semaphore(1), List.of(m), t -> runHooks(c, t, journal, hooksRun), failures);
            }
            List<InstallTarget> nodes = ready.stream().filter(Predicate.not(InstallTarget::isMaster)).toList();
            forEach(pool, slots, nodes, t -> runHooks(c, t, journal, hooksRun), failures);
            // 3. master0: the cluster-local registry, then CMDS once everyone is done
            InstallTarget master0 = targets.stream().filter(t -> HostSteps.isMaster0(c, t)).findFirst().orElse(null);
            if (master0 != null && !failures.containsKey(master0.ip())) {
                forEach(pool, slots, List.of(master0), t -> {
                    if (c.imageFor(t).hasRegistry()) {
                        run(c, t, HostStep.REGISTRY, journal, () -> steps.registry(c, t));
                    }
                    run(c, t, HostStep.CMDS, journal, () -> steps.clusterCommands(c, t, upgrade(c, t)));
                }, failures);
            }
        } finally {
            pool.shutdown();
        }
        Set<String> succeeded = new LinkedHashSet<>();
        targets.forEach(t -> {
            if (!failures.containsKey(t.ip())) {
                succeeded.add(t.ip());
            }
        });
        return new Report(Map.copyOf(failures), succeeded, bytes.get(), List.copyOf(hooksRun));
    }

    /** What the architecture probe found: each reachable host's architecture, and the hosts that did not answer. */
    public record Probe(Map<String, String> architectures, Map<String, StepFailure> failures) {
    }

    /**
     * Asks every host its architecture, in parallel (the first contact of an operation, which picks each host's
     * variant of a multi-platform image); a host that does not answer has failed its preflight, recorded so.
     */
    public Probe architectures(List<InstallTarget> targets, StepJournal journal) {
        Map<String, String> found = Collections.synchronizedMap(new LinkedHashMap<>());
        Map<String, StepFailure> failures = Collections.synchronizedMap(new LinkedHashMap<>());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            forEach(pool, new Semaphore(parallelism), targets, t -> found.put(t.ip(), steps.architecture(t)), failures);
        } finally {
            pool.shutdown();
        }
        recordPreflightFailures(failures, journal);
        return new Probe(Map.copyOf(found), Map.copyOf(failures));
    }

    /** Hosts that failed before their steps began (unreachable, no image for their architecture), as preflight failures. */
    public static void recordPreflightFailures(Map<String, StepFailure> failures, StepJournal journal) {
        failures.values().forEach(f -> {
            journal.started(f.host(), HostStep.PREFLIGHT, "");
            journal.failed(f.host(), HostStep.PREFLIGHT, "", f.reason(), f.transientFault());
        });
    }

    /** Cleans the cluster off each host in parallel; a host that cannot be cleaned is reported, the others go on. */
    public Map<String, StepFailure> clean(InstallContext c, List<InstallTarget> targets, StepJournal journal) {
        Map<String, StepFailure> failures = Collections.synchronizedMap(new LinkedHashMap<>());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            forEach(pool, new Semaphore(parallelism), targets, t -> {
                journal.started(t.ip(), HostStep.CLEAN, "");
                long start = System.nanoTime();
                StepResult r = steps.clean(c, t);
                journal.completed(t.ip(), HostStep.CLEAN, "", r.took((System.nanoTime() - start) / 1_000_000));
            }, failures);
        } finally {
            pool.shutdown();
        }
        failures.values().forEach(f -> journal.failed(f.host(), HostStep.CLEAN, "", f.reason(), f.transientFault()));
        return Map.copyOf(failures);
    }

    private void runHooks(InstallContext c, InstallTarget t, StepJournal journal, List<String> hooksRun) throws StepFailure {
        InstallImage image = c.imageFor(t);
        List<HookFile> hooks = upgrade(c, t) ? image.hooksAffectedBy(t.installed(), t.roles()) : image.hooks(t.roles());
        StepResult r = run(c, t, HostStep.HOOKS, journal, () -> steps.hooks(c, t, hooks, upgrade(c, t)));
        if (r != null) {
            hooks.forEach(h -> hooksRun.add(t.ip() + ":" + h.path()));
        }
    }

    /** An upgrade: the host already runs an older image of this cluster, so only what changed is rerun. */
    private static boolean upgrade(InstallContext c, InstallTarget t) {
        return t.installed() != null && !t.installed().digest().equals(c.imageFor(t).digest());
    }

    private interface StepBody {
        StepResult run() throws StepFailure;
    }

    private interface HostWork {
        void run(InstallTarget t) throws StepFailure;
    }

    /** Runs a step unless the journal has it completed for this host's revision; null when it was skipped. */
    private static StepResult run(InstallContext c, InstallTarget t, HostStep step, StepJournal journal, StepBody body)
            throws StepFailure {
        // what master0 launches is the Clusterfile's too (cmd, appNames): a change there reruns that step alone
        String revision = step == HostStep.CMDS ? c.revision(t) + "-" + c.launch().key() : c.revision(t);
        if (journal.completed(t.ip(), step, revision)) {
            return null;
        }
        journal.started(t.ip(), step, revision);
        long start = System.nanoTime();
        try {
            StepResult r = body.run().took((System.nanoTime() - start) / 1_000_000);
            journal.completed(t.ip(), step, revision, r);
            return r;
        } catch (StepFailure f) {
            journal.failed(t.ip(), step, revision, f.reason(), f.transientFault());
            throw f;
        } catch (RuntimeException e) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            journal.failed(t.ip(), step, revision, reason, false);
            throw new StepFailure(t.ip(), step, reason, false);
        }
    }

    private static void forEach(ExecutorService pool, Semaphore slots, List<InstallTarget> targets, HostWork work,
                                Map<String, StepFailure> failures) {
        List<Future<?>> futures = new ArrayList<>();
        for (InstallTarget t : targets) {
            futures.add(pool.submit(() -> {
                slots.acquireUninterruptibly();
                try {
                    work.run(t);
                } catch (StepFailure f) {
                    failures.put(t.ip(), f);
                } finally {
                    slots.release();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("install interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }
}
