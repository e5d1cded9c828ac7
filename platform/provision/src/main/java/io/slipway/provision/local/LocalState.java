package io.slipway.provision.local;

import io.slipway.provision.NodeState;
import io.slipway.provision.ProviderNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A local provider's records, in its state directory, which outlive the JVM (the hosts do too):
 * <pre>
 * provider.properties        the provider's id (names its bridge, hosts and links) and its host counter
 * subnet (or net)            the 10.231.x.0/24 (127.231.x.0/24) it holds; the claim is in {@link MachineClaims}
 * client_key, client_key.pub the login key of its hosts' root (0600)
 * tokens/&lt;token&gt;.properties  one create: its pool, role, count and host names, written before any host starts
 * hosts/&lt;name&gt;/               a host: node.properties, sshd_config, its host key, sshd.pid, sshd.log, fs/...
 * released/&lt;name&gt;.properties what a released host was, so describe and a repeated create answer it as terminated
 * </pre>
 * Every file is written to a temporary name and renamed, so a crash leaves the old record or the new one.
 */
final class LocalState {
    private final Path dir;

    LocalState(Path dir) {
        this.dir = dir.toAbsolutePath();
        try {
            Files.createDirectories(this.dir.resolve("tokens"));
            Files.createDirectories(this.dir.resolve("hosts"));
            Files.createDirectories(this.dir.resolve("released"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the local provider's state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    /** The provider's id: 4 hex digits, made once, so names stay within Linux's 15 characters for a link. */
    synchronized String providerId() throws IOException {
        Properties p = read(dir.resolve("provider.properties")).orElseGet(Properties::new);
        if (p.getProperty("id") == null) {
            p.setProperty("id", HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(0x10000), 4));
            p.setProperty("next-host", "1");
            write(dir.resolve("provider.properties"), p);
        }
        return p.getProperty("id");
    }

    /** A host number never given before by this provider (host names and link names are never reused). */
    synchronized long nextHostNumber() throws IOException {
        Path file = dir.resolve("provider.properties");
        Properties p = read(file).orElseThrow();
        long n = Long.parseLong(p.getProperty("next-host", "1"));
        p.setProperty("next-host", Long.toString(n + 1));
        write(file, p);
        return n;
    }

    /** The address range ({@code subnet} or {@code net}) this provider holds, if it holds one. */
    Optional<Integer> slot(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.exists(file) ? Optional.of(Integer.parseInt(Files.readString(file).strip())) : Optional.empty();
    }

    void forgetSlot(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name));
    }

    Path clientKey() {
        return dir.resolve("client_key");
    }

    Path authorizedKeys() {
        return dir.resolve("authorized_keys");
    }

    /** Makes the login key pair once (0600), and authorizes it for the hosts' root. */
    synchronized void ensureClientKey() throws IOException {
        if (Files.exists(clientKey()) && Files.exists(authorizedKeys())) {
            return;
        }
        SshKeys.generate(clientKey(), "slipway-local-provider");
        Path tmp = dir.resolve("authorized_keys.new");
        Files.copy(Path.of(clientKey() + ".pub"), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, authorizedKeys(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Path hostDir(String name) {
        return dir.resolve("hosts").resolve(name);
    }

    /** The record of one create, by its token. */
    record TokenRecord(String token, String poolId, String role, int count, List<String> hosts) {
    }

    Optional<TokenRecord> token(String token) throws IOException {
        return read(tokenFile(token)).map(p -> new TokenRecord(token, p.getProperty("pool"), p.getProperty("role"),
                Integer.parseInt(p.getProperty("count")), List.of(p.getProperty("hosts").split(","))));
    }

    void writeToken(TokenRecord t) throws IOException {
        Properties p = new Properties();
        p.setProperty("pool", t.poolId());
        p.setProperty("role", t.role());
        p.setProperty("count", Integer.toString(t.count()));
        p.setProperty("hosts", String.join(",", t.hosts()));
        write(tokenFile(t.token()), p);
    }

    private Path tokenFile(String token) {
        return dir.resolve("tokens").resolve(StateDirectory.fileName(token) + ".properties");
    }

    /** One host's record: what describe answers besides its liveness. */
    record HostRecord(String name, String poolId, String role, String token, int launchIndex, String address, int port, int slot,
                      Instant launchedAt, boolean started) {
        ProviderNode node(NodeState state, String reason) {
            return new ProviderNode(name, poolId, role, token, launchIndex, state, address, port, launchedAt, reason);
        }

        HostRecord asStarted() {
            return new HostRecord(name, poolId, role, token, launchIndex, address, port, slot, launchedAt, true);
        }
    }

    Optional<HostRecord> host(String name) throws IOException {
        return read(hostDir(name).resolve("node.properties")).map(p -> hostRecord(name, p));
    }

    Optional<HostRecord> released(String name) throws IOException {
        return read(dir.resolve("released").resolve(name + ".properties")).map(p -> hostRecord(name, p));
    }

    void writeHost(HostRecord h) throws IOException {
        Files.createDirectories(hostDir(h.name()));
        write(hostDir(h.name()).resolve("node.properties"), properties(h));
    }

    /**
     * Records the host as released (its directory is deleted by the caller once it is torn down), with why when it was
     * not asked for (a host that did not start).
     */
    void markReleased(HostRecord h, String failure) throws IOException {
        Properties p = properties(h);
        if (failure != null) {
            p.setProperty("failure", failure);
        }
        write(dir.resolve("released").resolve(h.name() + ".properties"), p);
    }

    /** Why a released host went, when it was not released on request. */
    Optional<String> failure(String name) throws IOException {
        return read(dir.resolve("released").resolve(name + ".properties")).map(p -> p.getProperty("failure"));
    }

    List<String> hostNames() throws IOException {
        try (Stream<Path> hosts = Files.list(dir.resolve("hosts"))) {
            return hosts.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The address slots (1..240 of the subnet) live hosts hold. */
    List<Integer> slotsInUse() throws IOException {
        List<Integer> slots = new ArrayList<>();
        for (String name : hostNames()) {
            host(name).ifPresent(h -> slots.add(h.slot()));
        }
        return slots;
    }

    private static Properties properties(HostRecord h) {
        Properties p = new Properties();
        p.setProperty("pool", h.poolId());
        p.setProperty("role", h.role());
        p.setProperty("token", h.token());
        p.setProperty("launch-index", Integer.toString(h.launchIndex()));
        p.setProperty("address", h.address());
        p.setProperty("port", Integer.toString(h.port()));
        p.setProperty("slot", Integer.toString(h.slot()));
        p.setProperty("launched-at", h.launchedAt().toString());
        p.setProperty("started", Boolean.toString(h.started()));
        return p;
    }

    private static HostRecord hostRecord(String name, Properties p) {
        return new HostRecord(name, p.getProperty("pool"), p.getProperty("role"), p.getProperty("token"),
                Integer.parseInt(p.getProperty("launch-index")), p.getProperty("address"), Integer.parseInt(p.getProperty("port", "22")),
                Integer.parseInt(p.getProperty("slot")),
                Instant.parse(p.getProperty("launched-at")), Boolean.parseBoolean(p.getProperty("started")));
    }

    private static Optional<Properties> read(Path file) throws IOException {
        return StateDirectory.read(file);
    }

    private static void write(Path file, Properties p) throws IOException {
        StateDirectory.write(file, p);
    }
}
