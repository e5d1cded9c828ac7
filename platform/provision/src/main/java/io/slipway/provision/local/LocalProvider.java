package io.slipway.provision.local;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.NodeState;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import io.slipway.provision.local.LocalState.HostRecord;
import io.slipway.provision.local.LocalState.TokenRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes on this machine (kind {@code local}), for a cluster on a laptop. With root, each node is a network namespace
 * with its own address on the provider's bridge (10.231.x.0/24, x claimed machine-wide), its own OpenSSH server and
 * host key, and its own {@link PrivateFilesystem} ({@link Mode#NAMESPACES}); without root, an embedded MINA SSHD server
 * on its own loopback address (127.231.x.y, port 2222) running commands in the node's own user and mount namespace
 * ({@link Mode#EMBEDDED}). Root logs in with a key pair the provider makes once and keeps in its state directory.
 *
 * <p>Like a cloud's instances, the nodes outlive the provider: everything is recorded in the state directory
 * ({@link LocalState}), a create's token before any of its hosts starts, so a provider made again over the same
 * directory (after a crash, in a new JVM) answers the same hosts for the same token, lists them, and releases them.
 * {@link #close()} releases nothing.
 */
public final class LocalProvider implements NodeProvider {
    public static final String KIND = "local";
    private static final Logger LOG = LoggerFactory.getLogger(LocalProvider.class);
    private static final int MAX_HOSTS = 240;

    private final StateDirectory records;
    private final LocalState state;
    private final HostMaker hosts;

    /** What the nodes are made of. */
    public enum Mode {
        /** Network namespaces with OpenSSH: root, iproute2, openssh-server, util-linux. */
        NAMESPACES,
        /** Embedded MINA SSHD servers on loopback addresses: unprivileged user namespaces and util-linux. */
        EMBEDDED;

        /** Namespaces where this machine can make them, else embedded hosts where it can; empty when neither. */
        public static Optional<Mode> best() {
            if (Netns.canRun()) {
                return Optional.of(NAMESPACES);
            }
            return EmbeddedSshHost.canRun() ? Optional.of(EMBEDDED) : Optional.empty();
        }
    }

    /** A provider of the {@link Mode#best()} kind of hosts, keeping its records and its hosts' files in {@code stateDir}. */
    public LocalProvider(Path stateDir) {
        this(stateDir, Mode.best().orElseThrow(() -> unavailable(Mode.NAMESPACES)));
    }

    public LocalProvider(Path stateDir, Mode mode) {
        // setsid keeps each host's sshd out of the service's session, so the hosts outlive it
        if (mode == Mode.NAMESPACES ? !Netns.canRun() || !HostTools.executable("/usr/bin/setsid") : !EmbeddedSshHost.canRun()) {
            throw unavailable(mode);
        }
        refuseInsidePrivatePaths(stateDir);
        this.records = new StateDirectory(stateDir);
        this.state = new LocalState(records.dir());
        try {
            String id = state.providerId();
            state.ensureClientKey();
            this.hosts = mode == Mode.NAMESPACES ? new NamespaceHosts(state, id) : new EmbeddedHosts(state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the local provider in " + stateDir + ": " + e.getMessage(), e);
        }
        if (hosts instanceof EmbeddedHosts embedded) {
            serveAgain(embedded);
        }
    }

    private static ProviderException unavailable(Mode mode) {
        return new ProviderException(ProviderException.Kind.INVALID, "LocalHostsUnavailable", mode == Mode.NAMESPACES
                ? "local namespace hosts need root, iproute2 (ip), openssh-server (/usr/sbin/sshd, ssh-keygen) and util-linux "
                + "(nsenter, unshare, setsid) on this machine"
                : "local embedded hosts need unprivileged user namespaces (unshare --user --map-root-user --mount) and nsenter");
    }

    /** Embedded hosts' servers live in the JVM: a provider made in a new one serves the hosts the last one made. */
    private void serveAgain(EmbeddedHosts embedded) {
        locked(() -> {
            for (String name : state.hostNames()) {
                Optional<HostRecord> h = state.host(name);
                if (h.isPresent() && h.get().started()) {
                    try {
                        embedded.serveAgain(h.get());
                    } catch (IOException | RuntimeException e) {
                        // describe reports the host as gone, and the caller replaces it
                        LOG.warn("local provider: host {} of pool {} cannot be served again: {}", name, h.get().poolId(), e.getMessage());
                    }
                }
            }
            return null;
        });
    }

    /**
     * Each host's sshd reads its configuration and keys from the state directory once the host's private paths are laid
     * over the machine's; a state directory under one of them would be hidden from it.
     */
    private static void refuseInsidePrivatePaths(Path stateDir) {
        Path abs = stateDir.toAbsolutePath().normalize();
        for (String privatePath : PrivateFilesystem.PATHS.keySet()) {
            if (abs.startsWith(privatePath)) {
                throw new IllegalArgumentException("the local provider's state directory " + abs + " must not be under " + privatePath
                        + ", which each local host has to itself (" + PrivateFilesystem.PATHS.keySet() + "); use e.g. /var/tmp/slipway-local");
            }
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Root with the provider's key ({@code <stateDir>/client_key}, 0600). */
    @Override
    public SshLogin login() {
        return SshLogin.key("root", state.clientKey());
    }

    /** Where this provider keeps a host's files (its sshd configuration, host key, private filesystem). */
    public Path hostDir(String nodeId) {
        return state.hostDir(nodeId);
    }

    @Override
    public Created create(CreateRequest request) {
        return locked(() -> {
            Optional<TokenRecord> earlier = state.token(request.token());
            TokenRecord record;
            if (earlier.isPresent()) {
                record = earlier.get();
                if (!record.poolId().equals(request.poolId()) || !record.role().equals(request.role()) || record.count() != request.count()) {
                    throw new ProviderException(ProviderException.Kind.INVALID, "IdempotentParameterMismatch", "token " + request.token()
                            + " made " + record.count() + " " + record.role() + " node(s) of pool " + record.poolId() + ", not "
                            + request.count() + " " + request.role() + " of pool " + request.poolId());
                }
            } else {
                record = reserve(request);
            }
            return startAll(record);
        });
    }

    /** Names and addresses the request's hosts and records them, token last: nothing starts before it is written. */
    private TokenRecord reserve(CreateRequest request) throws IOException {
        int net = hosts.network();
        Set<Integer> used = new HashSet<>(state.slotsInUse());
        List<String> names = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < request.count(); i++) {
            int slot = freeSlot(used, request);
            used.add(slot);
            String name = "slwp" + state.providerId() + "n" + state.nextHostNumber();
            state.writeHost(new HostRecord(name, request.poolId(), request.role(), request.token(), i, hosts.address(net, slot), hosts.port(),
                    slot, now, false));
            names.add(name);
        }
        TokenRecord record = new TokenRecord(request.token(), request.poolId(), request.role(), request.count(), names);
        state.writeToken(record);
        LOG.info("local provider: pool {} role {}: {} host(s) {} for token {}", request.poolId(), request.role(), names.size(), names,
                request.token());
        return record;
    }

    private static int freeSlot(Set<Integer> used, CreateRequest request) {
        for (int slot = 1; slot <= MAX_HOSTS; slot++) {
            if (!used.contains(slot)) {
                return slot;
            }
        }
        throw new ProviderException(ProviderException.Kind.CAPACITY, "LocalAddressesExhausted", "pool " + request.poolId() + " role "
                + request.role() + ": the local provider holds " + MAX_HOSTS + " hosts already; release some first");
    }

    /** Starts the token's hosts that have not started (all of them, or those a crash interrupted), in parallel. */
    private Created startAll(TokenRecord record) throws IOException {
        Map<String, Future<Optional<String>>> starts = new LinkedHashMap<>();
        hosts.network();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String name : record.hosts()) {
                Optional<HostRecord> host = state.host(name);
                if (host.isPresent() && !host.get().started()) {
                    starts.put(name, pool.submit(() -> start(host.get())));
                }
            }
        }
        List<ProviderNode> nodes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String name : record.hosts()) {
            Future<Optional<String>> start = starts.get(name);
            Optional<String> failure = start == null ? state.failure(name) : join(start);
            if (failure.isPresent()) {
                failures.add(failure.get());
                continue;
            }
            describeOne(name).ifPresent(nodes::add);
        }
        return failures.isEmpty() ? Created.all(nodes) : new Created(nodes, failures.size(), String.join("; ", failures));
    }

    /** Starts one host; a host that does not come up is torn down and released, and the reason returned. */
    private Optional<String> start(HostRecord host) {
        try {
            hosts.start(host);
            state.writeHost(host.asStarted());
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("local provider: host {} of pool {} did not start: {}", host.name(), host.poolId(), e.getMessage());
            hosts.destroy(host);
            try {
                state.markReleased(host, "local host " + host.name() + " did not start: " + e.getMessage());
            } catch (IOException recordFailed) {
                LOG.warn("local provider: cannot record host {} as released: {}", host.name(), recordFailed.getMessage());
            }
            return Optional.of("local host " + host.name() + " did not start: " + e.getMessage());
        }
    }

    private static Optional<String> join(Future<Optional<String>> f) {
        try {
            return f.get();
        } catch (Exception e) {
            return Optional.of(String.valueOf(e.getCause() == null ? e : e.getCause()));
        }
    }

    @Override
    public Described describe(Collection<String> nodeIds) {
        return locked(() -> Described.byEach(nodeIds, this::describeOne));
    }

    /** A live host from its record and liveness; a released one as terminated; empty for a name never made here. */
    private Optional<ProviderNode> describeOne(String name) throws IOException {
        Optional<HostRecord> host = state.host(name);
        if (host.isPresent()) {
            HostRecord h = host.get();
            if (!h.started()) {
                return Optional.of(h.node(NodeState.PENDING, null));
            }
            Optional<String> problem = hosts.problem(h);
            return Optional.of(problem.map(p -> h.node(NodeState.TERMINATED, p)).orElseGet(() -> h.node(NodeState.RUNNING, null)));
        }
        Optional<String> failure = state.failure(name);
        return state.released(name).map(h -> h.node(NodeState.TERMINATED, failure.orElse("released")));
    }

    @Override
    public List<ProviderNode> listPooled() {
        return locked(() -> {
            List<ProviderNode> nodes = new ArrayList<>();
            for (String name : state.hostNames()) {
                describeOne(name).ifPresent(nodes::add);
            }
            return nodes;
        });
    }

    @Override
    public void release(Collection<String> nodeIds) {
        locked(() -> {
            for (String name : nodeIds) {
                Optional<HostRecord> host = state.host(name);
                if (host.isEmpty()) {
                    continue;
                }
                // recorded first: a crash mid-teardown leaves a released host whose leftovers the next release removes
                state.markReleased(host.get(), null);
                hosts.destroy(host.get());
                LOG.info("local provider: released host {} of pool {}", name, host.get().poolId());
            }
            if (state.hostNames().isEmpty()) {
                // with no host left, the bridge and the address range go too: nothing stays on the machine's network
                hosts.giveBackNetwork();
            }
            return null;
        });
    }

    /** Runs {@code body} holding the state directory against this JVM's other threads and other JVMs. */
    private <T> T locked(StateDirectory.Work<T> body) {
        try {
            return records.locked(body);
        } catch (UncheckedIOException e) {
            throw new ProviderException(ProviderException.Kind.TRANSIENT, "LocalStateUnreadable", e.getMessage(), e);
        }
    }
}
