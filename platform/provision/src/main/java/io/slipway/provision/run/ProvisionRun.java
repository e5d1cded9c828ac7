package io.slipway.provision.run;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.NodeState;
import io.slipway.provision.PoolPlan;
import io.slipway.provision.PoolPlan.RolePlan;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderException.Kind;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.ProvisionListener;
import io.slipway.provision.SshReadiness;
import io.slipway.provision.Ticker;
import io.slipway.provision.pace.Backoff;
import io.slipway.provision.pace.BootEstimate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provisioning run: a loop that each turn does what is due (creates, one batched describe, SSH probes) and then
 * sleeps on the ticker until the next thing is due. Single-threaded by design, so a simulation drives it on virtual
 * time and its order of calls is reproducible from the seed.
 */
final class ProvisionRun {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionRun.class);

    private final NodeProvider provider;
    private final SshReadiness ssh;
    private final Ticker ticker;
    private final ProvisionOptions options;
    private final PacedCalls calls;
    private final PoolPlan plan;
    private final ProvisionListener listener;
    private final String pool;
    private final Random random;
    private final Instant deadlineAt;

    private final Map<String, RoleState> roles = new LinkedHashMap<>();
    private final List<CreateTask> creates = new ArrayList<>();
    private final Set<String> journaledTokens = new HashSet<>();
    private final Set<String> skippedTokens = new HashSet<>();
    private final Map<String, BootingNode> booting = new LinkedHashMap<>();
    private final List<ProviderNode> ready = new ArrayList<>();
    private final Backoff describeBackoff;
    private Instant nextDescribe;
    private Instant nextProbe = Instant.MAX;
    private boolean sawRunning;

    ProvisionRun(NodeProvider provider, SshReadiness ssh, Ticker ticker, ProvisionOptions options, PacedCalls calls,
                 PoolPlan plan, List<CreateRequest> journaled, ProvisionListener listener) {
        this.provider = provider;
        this.ssh = ssh;
        this.ticker = ticker;
        this.options = options;
        this.calls = calls;
        this.plan = plan;
        this.listener = listener;
        this.pool = plan.poolId();
        this.random = new Random(options.seed() * 31 + pool.hashCode());
        this.describeBackoff = new Backoff(options.backoff(), random);
        Instant start = ticker.now();
        this.deadlineAt = start.plus(options.deadline());
        this.nextDescribe = start; // replaced by the schedule once a create answers
        for (RolePlan r : plan.roles()) {
            if (r.count() > 0) {
                roles.put(r.role(), new RoleState(r, new Backoff(options.backoff(), random)));
            }
        }
        for (CreateRequest request : journaled) {
            RoleState role = roles.get(request.role());
            if (!pool.equals(request.poolId()) || role == null) {
                LOG.warn("pool {}: not repeating a journaled create for {} of pool {}, which the plan does not want; "
                        + "the reaper releases what it made", pool, request.role(), request.poolId());
                continue;
            }
            journaledTokens.add(request.token());
            role.nextAttempt++;
            role.journaled.addFirst(request);
        }
    }

    List<ProviderNode> execute() throws InterruptedException {
        while (true) {
            Instant now = ticker.now();
            if (!now.isBefore(deadlineAt)) {
                throw timedOut();
            }
            repeatJournaled();
            runDueCreates(now);
            sweepSkipped();
            planCreates();
            runDueCreates(ticker.now());
            describeIfDue(ticker.now());
            probeIfDue(ticker.now());
            if (roles.values().stream().allMatch(RoleState::done)) {
                return finish();
            }
            sleepUntilNextDue();
        }
    }

    // ---- creates ----------------------------------------------------------------------------------------------------

    /**
     * Repeats an earlier run's journaled creates, newest first and one at a time per role, until the role holds its
     * nodes. Newest first because a later create for a role was only made once the earlier ones had answered: when
     * it holds enough, an older one either made nothing (capacity ran out) or made nodes that a later one replaced,
     * and repeating it could only create nodes nobody wants. What such older creates did make is swept up after.
     */
    private void repeatJournaled() {
        for (RoleState role : roles.values()) {
            if (role.repeating || role.journaled.isEmpty()) {
                continue;
            }
            if (role.alive >= role.plan.count()) {
                role.journaled.forEach(r -> skippedTokens.add(r.token()));
                role.journaled.clear();
                continue;
            }
            CreateRequest request = role.journaled.poll();
            role.repeating = true;
            role.inFlight += request.count();
            creates.add(new CreateTask(request, role, true, new Backoff(options.backoff(), random), ticker.now()));
        }
    }

    /** Releases any alive node made by a journaled create that was not repeated, once every role is past its repeats. */
    private void sweepSkipped() throws InterruptedException {
        if (skippedTokens.isEmpty() || roles.values().stream().anyMatch(r -> r.repeating || !r.journaled.isEmpty())) {
            return;
        }
        Set<String> tokens = Set.copyOf(skippedTokens);
        skippedTokens.clear();
        List<ProviderNode> pooled;
        try {
            pooled = calls.call(ProvisionStats.LIST, provider::listPooled);
        } catch (ProviderException e) {
            LOG.warn("pool {}: could not list its nodes ({}); the reaper releases what replaced creates made", pool, e.code());
            return;
        }
        List<ProviderNode> stale = pooled.stream()
                .filter(n -> pool.equals(n.poolId()) && tokens.contains(n.token()) && n.state().alive()
                        && !booting.containsKey(n.id()) && ready.stream().noneMatch(r -> r.id().equals(n.id())))
                .toList();
        if (!stale.isEmpty()) {
            stale.forEach(n -> listener.failed(n, "not needed: made by a create that a later one replaced"));
            releaseQuietly(stale.stream().map(ProviderNode::id).toList());
        }
    }

    /** One create per role for everything it misses, once the journaled repeats and any shortfall backoff are over. */
    private void planCreates() {
        Instant now = ticker.now();
        for (RoleState role : roles.values()) {
            int missing = role.missing();
            if (missing <= 0 || now.isBefore(role.retryAt)) {
                continue;
            }
            String token;
            do {
                token = CreateRequest.tokenFor(pool, plan.incarnation(), role.plan.role(), role.alive, role.nextAttempt++);
            } while (journaledTokens.contains(token));
            CreateRequest request = new CreateRequest(pool, role.plan.role(), role.plan.size(), role.plan.image(),
                    missing, token, Map.of());
            listener.creating(request);
            role.inFlight += missing;
            creates.add(new CreateTask(request, role, false, new Backoff(options.backoff(), random), now));
        }
    }

    private void runDueCreates(Instant now) throws InterruptedException {
        for (Iterator<CreateTask> it = creates.iterator(); it.hasNext(); ) {
            CreateTask task = it.next();
            if (task.notBefore.isAfter(now)) {
                continue;
            }
            Created created;
            try {
                created = calls.call(ProvisionStats.CREATE, () -> provider.create(task.request));
            } catch (ProviderException e) {
                if (!e.retryable()) {
                    throw rejected(task.request, e);
                }
                if (e.kind() == Kind.CAPACITY) {
                    it.remove();
                    task.role.inFlight -= task.request.count();
                    if (task.journaled) {
                        task.role.repeating = false;
                    }
                    shortfall(task, task.request.count(), e.code());
                } else {
                    // the call may have made the nodes (a timeout after the server acted): same token, same nodes
                    Duration wait = task.backoff.next(e.kind());
                    task.notBefore = ticker.now().plus(wait);
                    calls.stats().retry();
                    LOG.info("pool {}: create of {} {} node(s) failed ({}), repeating it in {} ms", pool,
                            task.request.count(), task.request.role(), e.code(), wait.toMillis());
                }
                continue;
            }
            it.remove();
            answered(task, created);
        }
    }

    private void answered(CreateTask task, Created created) throws InterruptedException {
        RoleState role = task.role;
        role.inFlight -= task.request.count();
        if (task.journaled) {
            role.repeating = false;
        }
        listener.created(task.request, created.nodes());
        Instant now = ticker.now();
        List<ProviderNode> surplus = new ArrayList<>();
        for (ProviderNode node : created.nodes()) {
            if (booting.containsKey(node.id()) || ready.stream().anyMatch(r -> r.id().equals(node.id()))) {
                continue;
            }
            BootingNode b = new BootingNode(node, role, now);
            if (b.terminal()) {
                continue; // a repeated create answers what it made then, including nodes gone since
            }
            if (role.alive >= role.plan.count()) {
                surplus.add(node); // a repeated create answered more than the role still needs
                continue;
            }
            booting.put(node.id(), b);
            role.alive++;
            if (node.state() == NodeState.RUNNING) {
                becameRunning(b, now);
            }
        }
        if (!surplus.isEmpty()) {
            surplus.forEach(n -> listener.failed(n, "not needed: role " + role.plan.role() + " has its "
                    + role.plan.count() + " node(s)"));
            releaseQuietly(surplus.stream().map(ProviderNode::id).toList());
        }
        if (created.missing() > 0 && !task.journaled) {
            shortfall(task, created.missing(), created.missingReason());
        } else if (created.missing() > 0) {
            // a repeat's shortfall happened in the earlier run, whose later creates (repeated next) asked for the rest
            role.lastReason = created.missingReason();
        } else {
            role.capacityBackoff.reset();
        }
        if (booting.values().stream().anyMatch(b -> !b.running())) {
            scheduleDescribe(); // new nodes get their first describe at the schedule's first interval, not at once
        }
    }

    private void shortfall(CreateTask task, int missing, String reason) {
        RoleState role = task.role;
        String why = reason == null ? "the provider made fewer than asked" : reason;
        role.lastReason = why;
        calls.stats().shortfall();
        listener.shortfall(task.request, missing, why);
        Duration wait = role.capacityBackoff.next(Kind.CAPACITY);
        role.retryAt = ticker.now().plus(wait);
        LOG.info("pool {}: {} {} node(s) not made ({}), asking again in {} ms", pool, missing, role.plan.role(), why,
                wait.toMillis());
    }

    // ---- waiting for boot -------------------------------------------------------------------------------------------

    private void describeIfDue(Instant now) throws InterruptedException {
        List<String> pending = booting.values().stream().filter(b -> !b.running()).map(b -> b.node.id()).toList();
        if (pending.isEmpty() || now.isBefore(nextDescribe)) {
            return;
        }
        // running nodes waiting for SSH ride along for free: a node that dies there is seen too
        List<String> ids = new ArrayList<>(booting.keySet());
        sawRunning = false;
        for (int i = 0; i < ids.size(); i += options.describeBatch()) {
            List<String> batch = ids.subList(i, Math.min(ids.size(), i + options.describeBatch()));
            Described described;
            try {
                described = calls.call(ProvisionStats.DESCRIBE, () -> provider.describe(batch));
            } catch (ProviderException e) {
                if (!e.retryable()) {
                    throw new ProvisioningException(pool, null, e.code(), "pool " + pool + ": the provider refused to "
                            + "describe its " + batch.size() + " booting node(s) (" + e.code() + "): " + e.getMessage(), e);
                }
                calls.stats().retry();
                nextDescribe = ticker.now().plus(describeBackoff.next(e.kind()));
                return;
            }
            seen(described);
        }
        describeBackoff.reset();
        scheduleDescribe();
    }

    private void seen(Described described) throws InterruptedException {
        Instant now = ticker.now();
        for (ProviderNode node : described.nodes()) {
            BootingNode b = booting.get(node.id());
            if (b == null) {
                continue;
            }
            b.seenByDescribe = true;
            b.node = node;
            if (b.terminal()) {
                fail(b, "the provider reports it " + node.state().name().toLowerCase()
                        + (node.stateReason() != null ? " (" + node.stateReason() + ")" : "") + " before it was ready", false);
            } else if (node.state() == NodeState.RUNNING && !b.running()) {
                becameRunning(b, now);
                sawRunning = true;
            }
        }
        for (String id : described.unknown()) {
            BootingNode b = booting.get(id);
            if (b == null) {
                continue;
            }
            if (b.seenByDescribe) {
                fail(b, "the provider no longer knows it", false);
            } else if (!now.isBefore(b.createdAt.plus(options.visibilityWindow()))) {
                // not "create again" on a whim: only after the window, and the lost id is released in case it shows up
                fail(b, "still unknown to the provider " + options.visibilityWindow().toSeconds() + " s after its create", true);
            }
        }
    }

    private void becameRunning(BootingNode b, Instant now) {
        b.runningAt = now;
        estimate(b.role).observe(Duration.between(b.launchedAt(), now));
        listener.running(b.node);
        nextProbe = now; // probe it at once; its SSH server may already answer
    }

    private void scheduleDescribe() {
        Instant now = ticker.now();
        Map<RoleState, List<BootingNode>> pendingByRole = booting.values().stream().filter(b -> !b.running())
                .collect(Collectors.groupingBy(b -> b.role));
        Duration wait = options.bootWait().max();
        for (Map.Entry<RoleState, List<BootingNode>> e : pendingByRole.entrySet()) {
            Instant oldest = e.getValue().stream().map(BootingNode::launchedAt).min(Instant::compareTo).orElse(now);
            Duration d = options.bootWait().next(Duration.between(oldest, now), e.getValue().size(), estimate(e.getKey()),
                    sawRunning);
            wait = d.compareTo(wait) < 0 ? d : wait;
        }
        // a describe already due sooner (for other nodes) stays; one in the past was for nodes since handled
        nextDescribe = nextDescribe.isAfter(now) && nextDescribe.isBefore(now.plus(wait)) ? nextDescribe : now.plus(wait);
    }

    private BootEstimate estimate(RoleState role) {
        return options.bootEstimates().of(provider.kind(), role.plan.size());
    }

    // ---- SSH --------------------------------------------------------------------------------------------------------

    private void probeIfDue(Instant now) throws InterruptedException {
        if (now.isBefore(nextProbe)) {
            return;
        }
        List<BootingNode> running = booting.values().stream().filter(BootingNode::running).toList();
        for (BootingNode b : running) {
            Optional<String> hostKey;
            try {
                hostKey = ssh.hostKey(b.node);
            } catch (RuntimeException e) {
                // a probe that cannot connect is a node not answering yet; the SSH timeout decides when that is final
                b.lastSshError = e.getMessage();
                hostKey = Optional.empty();
            }
            if (hostKey.isPresent()) {
                booting.remove(b.node.id());
                b.role.ready++;
                ready.add(b.node);
                listener.ready(b.node, hostKey.get());
            } else if (!ticker.now().isBefore(b.runningAt.plus(options.sshTimeout()))) {
                fail(b, "running, but its SSH server did not answer within " + options.sshTimeout().toSeconds() + " s"
                        + (b.lastSshError != null ? " (" + b.lastSshError + ")" : ""), true);
            }
        }
        nextProbe = booting.values().stream().anyMatch(BootingNode::running)
                ? ticker.now().plus(options.sshProbeInterval()) : Instant.MAX;
    }

    // ---- failures and the end ---------------------------------------------------------------------------------------

    /** The node will not be ready: say so, release it if it may still be alive, and let the role create another. */
    private void fail(BootingNode b, String reason, boolean release) throws InterruptedException {
        booting.remove(b.node.id());
        b.role.alive--;
        b.role.lastReason = reason;
        calls.stats().failedNode();
        LOG.warn("pool {}: {} node {} failed: {}; replacing it", pool, b.role.plan.role(), b.node.id(), reason);
        listener.failed(b.node, reason);
        if (release) {
            releaseQuietly(List.of(b.node.id()));
        }
    }

    private List<ProviderNode> finish() throws InterruptedException {
        if (!booting.isEmpty()) {
            // more than the plan came back (a repeated create answered nodes since replaced): they are ours to release
            List<BootingNode> surplus = List.copyOf(booting.values());
            for (BootingNode b : surplus) {
                booting.remove(b.node.id());
                listener.failed(b.node, "not needed: role " + b.role.plan.role() + " has its " + b.role.plan.count()
                        + " node(s) ready");
            }
            releaseQuietly(surplus.stream().map(b -> b.node.id()).toList());
        }
        List<ProviderNode> nodes = List.copyOf(ready);
        listener.poolReady(nodes);
        return nodes;
    }

    private void releaseQuietly(List<String> ids) throws InterruptedException {
        try {
            calls.call(ProvisionStats.RELEASE, () -> {
                provider.release(ids);
                return null;
            });
        } catch (ProviderException e) {
            // not fatal for this run: the nodes carry the pool's tags, so the reaper and the pool's release find them
            LOG.warn("pool {}: releasing {} failed ({}); the reaper will release them", pool, ids, e.code());
        }
    }

    private void sleepUntilNextDue() throws InterruptedException {
        Instant now = ticker.now();
        Instant next = deadlineAt;
        for (CreateTask t : creates) {
            next = min(next, t.notBefore);
        }
        for (RoleState r : roles.values()) {
            if (r.missing() > 0) {
                next = min(next, r.retryAt);
            }
            if (!r.repeating && !r.journaled.isEmpty()) {
                next = now; // the next journaled repeat goes at once
            }
        }
        if (booting.values().stream().anyMatch(b -> !b.running())) {
            next = min(next, nextDescribe);
        }
        next = min(next, nextProbe);
        if (next.isAfter(now)) {
            ticker.sleep(Duration.between(now, next));
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private ProvisioningException rejected(CreateRequest request, ProviderException e) {
        return new ProvisioningException(pool, request.role(), e.code(), "pool " + pool + ": the provider refused to "
                + "create " + request.count() + " " + request.role() + " node(s) of size " + request.size()
                + " from image " + request.image() + " (" + e.code() + ", " + e.kind().name().toLowerCase()
                + "): " + e.getMessage(), e);
    }

    private ProvisioningException timedOut() {
        List<String> missing = new ArrayList<>();
        for (RoleState role : roles.values()) {
            if (role.done()) {
                continue;
            }
            long waitingForSsh = booting.values().stream().filter(b -> b.role == role && b.running()).count();
            long bootingNow = booting.values().stream().filter(b -> b.role == role && !b.running()).count();
            int notCreated = role.plan.count() - role.ready - (int) waitingForSsh - (int) bootingNow;
            missing.add("role " + role.plan.role() + ": " + (role.plan.count() - role.ready) + " of "
                    + role.plan.count() + " not ready (" + bootingNow + " booting, " + waitingForSsh
                    + " waiting for SSH, " + notCreated + " not created)"
                    + (role.lastReason != null ? ", last problem: " + role.lastReason : ""));
        }
        return new ProvisioningException(pool, null, null, "pool " + pool + ": not ready after "
                + options.deadline().toSeconds() + " s; " + String.join("; ", missing), null);
    }
}
