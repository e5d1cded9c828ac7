package io.slipway.deploy.operation;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.work.LeaseKeeper;
import io.slipway.backbone.work.WorkerIdentity;
import io.slipway.deploy.DeployData;
import io.slipway.deploy.DeployServiceConfig;
import io.slipway.deploy.cluster.ClaimLost;
import io.slipway.deploy.cluster.ClaimedOperation;
import io.slipway.deploy.cluster.ClusterProgress;
import io.slipway.deploy.cluster.ClusterProgress.ProgressEvent;
import io.slipway.deploy.cluster.ClusterView;
import io.slipway.deploy.cluster.HostStepJournal;
import io.slipway.deploy.cluster.OperationClaims;
import io.slipway.deploy.cluster.OperationOutcome;
import io.slipway.deploy.cluster.OperationOutcomes;
import io.slipway.deploy.clusterfile.ClusterHost;
import io.slipway.deploy.clusterfile.ClusterSecrets;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.deploy.image.ClusterImages;
import io.slipway.deploy.install.ClusterInstaller;
import io.slipway.deploy.install.HostSteps;
import io.slipway.ssh.HostKeyStore;
import io.slipway.ssh.SshEngine;
import io.slipway.ssh.SshRetry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Runs pending cluster operations: each worker thread claims one in the database (so instances share the work), runs
 * it off the event loop, and records its outcome. Operations held by a worker that is gone (its lease lapsed, or its
 * process on this host exited) are released, so an install killed midway resumes from its last completed step of each
 * host.
 */
@ApplicationScoped
public class DeployWorker {
    private static final Logger LOG = Logger.getLogger(DeployWorker.class);

    private final DeployServiceConfig config;
    private final OperationClaims claims;
    private final HostStepJournal journal;
    private final OperationOutcomes outcomes;
    private final ClusterProgress progress;
    private final ClusterImages images;
    private final DeployData data;
    private final String workerId;
    private final HostKeyStore hostKeys;
    private final DeployMetrics metrics;
    private final List<Thread> threads = new ArrayList<>();
    /** Keeps this instance's leases; apart from the workers, so that waking them to claim work does not also tick it. */
    private Thread lease;
    private SshEngine ssh;
    private OperationRunner runner;
    private volatile boolean stopping;

    DeployWorker(DeployServiceConfig config, OperationClaims claims, HostStepJournal journal, OperationOutcomes outcomes,
                 ClusterProgress progress, ClusterImages images, DeployData data, DeployMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.claims = claims;
        this.journal = journal;
        this.outcomes = outcomes;
        this.progress = progress;
        this.images = images;
        this.data = data;
        this.workerId = WorkerIdentity.current();
        this.hostKeys = HostKeyStore.at(data.knownHosts());
    }

    /**
     * A deleted cluster's pool nodes go back to their provider, which may give their addresses to new machines: the keys
     * pinned for them from infra-svc's record are forgotten (listed hosts keep theirs: they are the user's machines).
     */
    private void forgetPoolPins(ClaimedOperation op) {
        try {
            Clusterfile cf = Clusterfile.stored(op.clusterfile());
            if (cf.infra() != null) {
                cf.hosts().forEach(h -> {
                    int port = SshTargets.of(h).port();
                    hostKeys.forget(h.ip(), port);
                    ssh.evictHost(h.ip(), port);
                });
            }
        } catch (RuntimeException e) {
            LOG.warnf("cluster %s: the pinned keys of its pool's nodes stay in %s: %s", op.cluster(), data.knownHosts(), e.getMessage());
        }
    }

    /** Pins a host's key learned from infra-svc's record of the machine, before any connection to it. */
    public void pinHostKey(String host, int port, String key) {
        if (hostKeys.pin(host, port, key) && ssh != null) {
            ssh.evictHost(host, port); // a session kept from before is to the machine the old key belonged to
        }
    }

    /**
     * Pins the host keys {@code cf} gives for the hosts {@code ips} and, where it asks for trust on first use, lets those
     * with no pin be pinned on first contact. Answers the hosts of {@code ips} that would still be refused: their key is
     * not known and first use was not trusted for them.
     */
    public List<String> trust(Clusterfile cf, java.util.Collection<String> ips) {
        List<String> refused = new ArrayList<>();
        for (var h : cf.hosts()) {
            if (!ips.contains(h.ip())) {
                continue;
            }
            String key = cf.hostKeys().pinned().get(h.ip());
            if (key != null) {
                pinHostKey(h.ip(), h.sshPort(), key);
            } else if (cf.hostKeys().firstUse()) {
                hostKeys.allowFirstUse(h.ip(), h.sshPort());
            }
            if (!hostKeys.admits(h.ip(), h.sshPort())) {
                refused.add(h.ip());
            }
        }
        return refused;
    }

    /** The hosts of {@code ips} an operation on {@code cf} would refuse for an unknown key (changing nothing). */
    public List<String> unverified(Clusterfile cf, java.util.Collection<String> ips) {
        return cf.hosts().stream().filter(h -> ips.contains(h.ip()) && !cf.hostKeys().pinned().containsKey(h.ip())
                && !cf.hostKeys().firstUse() && !hostKeys.admits(h.ip(), h.sshPort())).map(ClusterHost::ip).toList();
    }

    void onStart(@Observes StartupEvent event) {
        ssh = SshEngine.builder().hostKeys(hostKeys).parallelism(config.parallelism())
                .connectTimeout(config.sshConnectTimeout()).keepAlive(config.sshKeepAlive(), 3)
                .retry(new SshRetry(config.sshAttempts(), config.sshBackoff(), config.sshBackoff().multipliedBy(16))).build();
        runner = new OperationRunner(images, new ClusterInstaller(new HostSteps(ssh), config.parallelism()),
                config.registryPort(), config.hookTimeout());
        lease = LeaseKeeper.thread("deploy-lease", config.lease(), () -> stopping, this::keepLeases);
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(this::loop, "deploy-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        lease.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        threads.forEach(LockSupport::unpark);
        if (lease != null) {
            LockSupport.unpark(lease);
        }
        if (ssh != null) {
            ssh.close();
        }
    }

    /**
     * Every quarter of the lease: renews the operations this instance holds, then releases those of workers that are gone
     * (no heartbeat for a lease, or a process of this host that has exited: a restarted deploy-svc resumes its
     * predecessor's operations on its first tick). Every instance does it; row locks make each release happen once.
     */
    private void keepLeases() {
        BlockingCalls.await(() -> claims.heartbeat(workerId));
        List<String> released = BlockingCalls.await(() -> claims.releaseGone(Instant.now().minus(config.lease()), WorkerIdentity::exitedHere));
        for (String r : released) {
            LOG.infof("resuming the operation of cluster %s", r);
        }
        if (!released.isEmpty()) {
            wake();
        }
    }

    /** Wakes idle workers (a request just arrived in this instance). */
    public void wake() {
        threads.forEach(LockSupport::unpark);
    }

    private void loop() {
        while (!stopping) {
            ClaimedOperation op = null;
            try {
                op = BlockingCalls.await(() -> claims.claimNext(workerId));
            } catch (RuntimeException e) {
                if (!stopping) {
                    LOG.warnf("claiming an operation failed (will retry): %s", e.getMessage());
                }
            }
            if (op == null) {
                LockSupport.parkNanos(config.pollInterval().toNanos());
                continue;
            }
            run(op);
        }
    }

    private static ClusterSecrets secretsOf(ClaimedOperation op) {
        try {
            return ClusterSecrets.of(Clusterfile.stored(op.clusterfile()));
        } catch (RuntimeException e) {
            return ClusterSecrets.NONE; // an unreadable Clusterfile fails the operation before anything runs
        }
    }

    private void run(ClaimedOperation op) {
        LOG.infof("cluster %s: %s (generation %d) started", op.cluster(), op.operation().label(), op.generation());
        OperationOutcome outcome;
        UnaryOperator<String> scrub = secretsOf(op)::scrub;
        long started = System.nanoTime();
        try {
            outcome = runner.run(op, new RecordedJournal(journal, progress, op, workerId, scrub, metrics));
        } catch (RuntimeException e) {
            if (stopping) {
                return; // left claimed by this worker id: the next start resumes it
            }
            if (ClaimLost.in(e)) {
                LOG.warnf("cluster %s: %s stopped: %s", op.cluster(), op.operation().label(), e.getMessage());
                return;
            }
            LOG.errorf(e, "cluster %s: %s failed unexpectedly", op.cluster(), op.operation().label());
            outcome = new OperationOutcome(io.slipway.deploy.cluster.Cluster.State.Failed,
                    op.operation().label() + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), null, null,
                    java.util.Map.of(), java.util.Map.of(), List.of(), true, List.of(), null, List.of());
        }
        OperationOutcome finalOutcome = outcome.scrubbed(scrub);
        ClusterView view;
        try {
            view = BlockingCalls.await(() -> outcomes.finish(op.cluster(), op.generation(), workerId, finalOutcome));
        } catch (ClaimLost lost) {
            LOG.warnf("cluster %s: %s ended, but its outcome is not this worker's to record: %s", op.cluster(), op.operation().label(),
                    lost.getMessage());
            return;
        }
        metrics.operation(op.operation().label(), view.state().name(), java.time.Duration.ofNanos(System.nanoTime() - started));
        if (view.state() == io.slipway.deploy.cluster.Cluster.State.Deleted) {
            forgetPoolPins(op);
        }
        LOG.infof("cluster %s: %s -> %s: %s", op.cluster(), op.operation().label(), view.state(), view.message());
        progress.publish(new ProgressEvent(op.cluster(), null, null, view.state().name(), view.message(), Instant.now()));
    }
}
