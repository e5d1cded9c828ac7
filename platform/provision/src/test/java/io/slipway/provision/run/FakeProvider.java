package io.slipway.provision.run;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.NodeState;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import io.slipway.provision.SshReadiness;
import io.slipway.provision.VirtualTicker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A provider for the Provisioner's tests, on a virtual ticker: boots and SSH start-up take scripted times, creates
 * are idempotent on their token, new nodes can stay invisible to describe for a while, capacity can run short, and
 * scripted failures come before a create is handled (or, for a lost response, after it made the nodes).
 */
final class FakeProvider implements NodeProvider, SshReadiness {
    private final VirtualTicker ticker;
    private final Map<String, Fake> nodes = new LinkedHashMap<>();
    private final Map<String, CreateRequest> requestsByToken = new LinkedHashMap<>();
    private final Map<String, List<String>> idsByToken = new LinkedHashMap<>();

    IntFunction<Duration> bootTime = i -> Duration.ofSeconds(20 + i);
    Duration sshDelay = Duration.ofSeconds(3);
    Duration invisibleFor = Duration.ZERO;
    int capacity = Integer.MAX_VALUE;
    final Deque<ProviderException> createFailures = new ArrayDeque<>();
    final Deque<ProviderException> describeFailures = new ArrayDeque<>();
    boolean loseNextCreateResponse;
    final Set<Integer> dieWhileBooting = new HashSet<>();
    final List<String> calls = new ArrayList<>();
    final List<Integer> describeSizes = new ArrayList<>();
    final List<String> createTokens = new ArrayList<>();
    int made;

    FakeProvider(VirtualTicker ticker) {
        this.ticker = ticker;
    }

    private final class Fake {
        final String id;
        final CreateRequest request;
        final int launchIndex;
        final int index;
        final Instant launchedAt;
        boolean terminated;

        Fake(String id, CreateRequest request, int launchIndex, int index, Instant launchedAt) {
            this.id = id;
            this.request = request;
            this.launchIndex = launchIndex;
            this.index = index;
            this.launchedAt = launchedAt;
        }

        Instant runningAt() {
            return launchedAt.plus(bootTime.apply(index));
        }

        ProviderNode view() {
            Instant now = ticker.now();
            NodeState state;
            String reason = null;
            if (terminated) {
                state = NodeState.TERMINATED;
                reason = "Client.UserInitiatedShutdown";
            } else if (dieWhileBooting.contains(index) && !now.isBefore(launchedAt.plus(Duration.ofSeconds(5)))) {
                state = NodeState.TERMINATED;
                reason = "Server.InternalError";
            } else {
                state = now.isBefore(runningAt()) ? NodeState.PENDING : NodeState.RUNNING;
            }
            return new ProviderNode(id, request.poolId(), request.role(), request.token(), launchIndex, state,
                    state == NodeState.RUNNING ? "10.0.0." + index : null, 22, launchedAt, reason);
        }
    }

    @Override
    public String kind() {
        return "fake";
    }

    @Override
    public Created create(CreateRequest request) {
        calls.add("create");
        createTokens.add(request.token());
        if (!createFailures.isEmpty()) {
            throw createFailures.poll();
        }
        List<String> earlier = idsByToken.get(request.token());
        if (earlier != null) {
            if (!requestsByToken.get(request.token()).equals(request)) {
                throw new ProviderException(ProviderException.Kind.INVALID, "IdempotentParameterMismatch", "token reused");
            }
            return new Created(earlier.stream().map(id -> nodes.get(id).view()).toList(),
                    request.count() - earlier.size(), earlier.size() < request.count() ? "InsufficientInstanceCapacity" : null);
        }
        int n = Math.min(request.count(), capacity);
        if (n == 0) {
            throw new ProviderException(ProviderException.Kind.CAPACITY, "InsufficientInstanceCapacity", "no capacity");
        }
        capacity -= n;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "i-" + made;
            nodes.put(id, new Fake(id, request, i, made, ticker.now()));
            made++;
            ids.add(id);
        }
        idsByToken.put(request.token(), ids);
        requestsByToken.put(request.token(), request);
        if (loseNextCreateResponse) {
            loseNextCreateResponse = false;
            throw new ProviderException(ProviderException.Kind.TRANSIENT, "RequestTimeout", "the response was lost");
        }
        return new Created(ids.stream().map(id -> nodes.get(id).view()).toList(), request.count() - n,
                n < request.count() ? "InsufficientInstanceCapacity" : null);
    }

    @Override
    public Described describe(Collection<String> nodeIds) {
        calls.add("describe");
        describeSizes.add(nodeIds.size());
        if (!describeFailures.isEmpty()) {
            throw describeFailures.poll();
        }
        List<ProviderNode> seen = new ArrayList<>();
        Set<String> unknown = new HashSet<>();
        for (String id : nodeIds) {
            Fake f = nodes.get(id);
            if (f == null || ticker.now().isBefore(f.launchedAt.plus(invisibleFor))) {
                unknown.add(id);
            } else {
                seen.add(f.view());
            }
        }
        return new Described(seen, unknown);
    }

    @Override
    public List<ProviderNode> listPooled() {
        calls.add("list");
        return nodes.values().stream().map(Fake::view).toList();
    }

    @Override
    public void release(Collection<String> nodeIds) {
        calls.add("release");
        nodeIds.forEach(id -> {
            Fake f = nodes.get(id);
            if (f != null) {
                f.terminated = true;
            }
        });
    }

    @Override
    public SshLogin login() {
        return SshLogin.password("root", "not-used");
    }

    @Override
    public Optional<String> hostKey(ProviderNode node) {
        Fake f = nodes.get(node.id());
        boolean up = f != null && f.view().state() == NodeState.RUNNING && !ticker.now().isBefore(f.runningAt().plus(sshDelay));
        return up ? Optional.of("ssh-ed25519 AAAAfake" + node.id()) : Optional.empty();
    }

    long alive(String poolId) {
        return nodes.values().stream().map(Fake::view).filter(n -> poolId.equals(n.poolId()) && n.state().alive()).count();
    }

    long calls(String action) {
        return calls.stream().filter(action::equals).count();
    }

    Instant lastSshReady() {
        return nodes.values().stream().filter(f -> !f.terminated).map(f -> f.runningAt().plus(sshDelay))
                .max(Instant::compareTo).orElseThrow();
    }
}
