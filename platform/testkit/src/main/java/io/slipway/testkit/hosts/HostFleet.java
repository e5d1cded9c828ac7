package io.slipway.testkit.hosts;

import io.slipway.provision.local.HostTools;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A fleet of test hosts, each an SSH server with its own address and its own private filesystem. Two kinds:
 * <ul>
 *   <li>{@link Kind#NAMESPACES} (needs root): real OpenSSH servers ({@code /usr/sbin/sshd}), each in its own network
 *       namespace with its own address on a per-fleet Linux bridge and its own mount namespace; real users and sudo.</li>
 *   <li>{@link Kind#EMBEDDED} (no root needed): Apache MINA SSHD servers on loopback addresses ({@code 127.231.x.y}, port
 *       {@value EmbeddedHost#PORT}), running each command in the host's own unprivileged user and mount namespace; the
 *       hosts share the machine's network stack, so a cut link stops their SSH traffic only.</li>
 * </ul>
 * {@link #builder()} picks namespaces where this machine can make them, else embedded hosts; the system property
 * {@code testkit.hosts} ({@code namespaces} or {@code embedded}) forces one.
 *
 * <p>Users: root and {@link #operatorUser()} (sudo without a password) log in with {@link #clientKey()};
 * {@link #passwordUser()} logs in with {@link #password()} and sudo asks it again. A host keeps its SSH host key across
 * fleets (per address), as a real machine does. {@link #close()} (also run at JVM exit, and for fleets a killed JVM
 * left behind) kills every process on the hosts and removes what the fleet made.
 */
public abstract sealed class HostFleet implements AutoCloseable permits NamespaceFleet, EmbeddedFleet {
    /** Which hosts a fleet is made of. */
    public enum Kind { NAMESPACES, EMBEDDED }

    static final String OPERATOR = "slipway-op";
    static final String PASSWORD_USER = "slipway-pw";

    private final String id;
    private final Path dir;
    private final List<TestHost> hosts = Collections.synchronizedList(new ArrayList<>());
    private final Thread shutdownHook;
    private volatile boolean closed;

    /** A fleet with the claimed id and its directory; it is torn down at JVM exit unless closed before. */
    HostFleet(String id, Path dir) {
        this.id = id;
        this.dir = dir;
        this.shutdownHook = new Thread(this::close, "host-fleet-" + id + "-close");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when this machine can run a fleet of some kind. */
    public static boolean available() {
        return defaultKind().isPresent();
    }

    /** The kind {@link #builder()} makes here: the one {@code testkit.hosts} names, else the best this machine can. */
    public static Optional<Kind> defaultKind() {
        String forced = System.getProperty("testkit.hosts", "").strip();
        if (!forced.isEmpty()) {
            Kind kind = Kind.valueOf(forced.toUpperCase(Locale.ROOT));
            return Optional.of(kind).filter(HostFleet::available);
        }
        if (NamespaceFleet.canRun()) {
            return Optional.of(Kind.NAMESPACES);
        }
        return EmbeddedFleet.canRun() ? Optional.of(Kind.EMBEDDED) : Optional.empty();
    }

    public static boolean available(Kind kind) {
        return kind == Kind.NAMESPACES ? NamespaceFleet.canRun() : EmbeddedFleet.canRun();
    }

    public abstract Kind kind();

    /**
     * Whether each host has a network of its own: its own loopback and ports, and a cut link that stops all its traffic.
     * Embedded hosts share the machine's: two hosts cannot both listen on 127.0.0.1:2379, and a cut stops SSH only.
     */
    public boolean isolatesNetworks() {
        return kind() == Kind.NAMESPACES;
    }

    public List<TestHost> hosts() {
        return List.copyOf(hosts);
    }

    /** An ECDSA private key (OpenSSH format, no passphrase) authorized for root and the operator user on every host. */
    public final Path clientKey() {
        return dir.resolve("client_key");
    }

    /** A non-root user with password-less sudo (logs in with {@link #clientKey()}). */
    public String operatorUser() {
        return OPERATOR;
    }

    /** A non-root user that logs in with {@link #password()}; sudo asks for the same password. */
    public String passwordUser() {
        return PASSWORD_USER;
    }

    public abstract String password();

    final String id() {
        return id;
    }

    /** The fleet's directory on the machine (its hosts' files, its claims). */
    final Path dir() {
        return dir;
    }

    /** Starts host number {@code n} (1-based, unique in the fleet). */
    abstract TestHost startHost(int n) throws IOException;

    /** Starts {@code count} more hosts (in parallel) and returns them. */
    public synchronized List<TestHost> addHosts(int count) {
        if (closed) {
            throw new IllegalStateException("fleet " + id() + " is closed");
        }
        List<TestHost> added = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<TestHost>> futures = new ArrayList<>();
            int first = hosts.size() + 1;
            for (int i = 0; i < count; i++) {
                int n = first + i;
                futures.add(pool.submit(() -> startHost(n)));
            }
            for (Future<TestHost> f : futures) {
                try {
                    added.add(f.get());
                } catch (Exception e) {
                    throw new IllegalStateException("a test host did not start: " + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
                }
            }
        } finally {
            hosts.addAll(added);
        }
        return added;
    }

    /** Stops the hosts, kills what they started and removes what the fleet made (once; also run at JVM exit). */
    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is exiting: this is the hook
        }
    }

    abstract void teardown();

    static boolean executable(String... paths) {
        return HostTools.executable(paths);
    }

    /**
     * Polls until a freshly started server accepts TCP connections (no event to wait on for a port that opens); fails at
     * once, with {@code diagnostics}, when {@code exited} says the server is gone.
     */
    static void awaitPort(String what, String address, int port, Duration timeout, BooleanSupplier exited, Supplier<String> diagnostics) {
        HostTools.awaitPort(what, address, port, timeout, exited, diagnostics);
    }

    /** Fleet settings. */
    public static final class Builder {
        private int hosts = 3;
        private Kind kind;

        public Builder hosts(int count) {
            this.hosts = count;
            return this;
        }

        /** Asks for one kind of host (otherwise {@link #defaultKind()}). */
        public Builder kind(Kind kind) {
            this.kind = kind;
            return this;
        }

        public HostFleet build() {
            Kind k = kind != null ? kind : defaultKind().orElseThrow(() -> new IllegalStateException(
                    "no test hosts on this machine: namespace hosts need root, iproute2, openssh-server, util-linux and sudo; "
                            + "embedded hosts need unprivileged user namespaces (unshare -Urm) and nsenter"));
            if (!available(k)) {
                throw new IllegalStateException(k == Kind.NAMESPACES
                        ? "namespace test hosts need root, iproute2, openssh-server, util-linux and sudo"
                        : "embedded test hosts need user namespaces (unshare --user --map-root-user --mount) and nsenter");
            }
            return k == Kind.NAMESPACES ? new NamespaceFleet(hosts) : new EmbeddedFleet(hosts);
        }
    }
}
