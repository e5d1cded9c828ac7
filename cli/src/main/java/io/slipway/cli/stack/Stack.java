package io.slipway.cli.stack;

import io.slipway.cli.gateway.Gateway;
import io.slipway.embedded.EmbeddedKafka;
import io.slipway.embedded.Processes;
import io.slipway.embedded.EmbeddedPostgres;
import io.slipway.security.Role;
import io.slipway.security.SigningKey;
import io.slipway.security.Tokens;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The local stack: embedded PostgreSQL and Kafka, the five services as child JVMs and the gateway, all keeping their
 * state under one data directory so that starting again resumes where it stopped. {@code slipway up} and the tests
 * both run it through this class.
 */
public final class Stack implements AutoCloseable {

    /**
     * What to start. {@code gatewayPort} 0 picks a free port; {@code serviceJvmOptions} are added to every service's
     * command line (a bigger heap, a debug agent, a configuration override), except that one written
     * {@code <service>:<option>} goes to that service only.
     */
    public record Options(Path dataDir, Path home, int gatewayPort, Duration startTimeout, List<String> serviceJvmOptions,
                          PrintStream progress) {
        public Options {
            serviceJvmOptions = List.copyOf(serviceJvmOptions);
        }
    }

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(120);
    /** Long enough for a service's first stop, which writes its class-data archive (five side by side on two cores). */
    private static final Duration SERVICE_STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration CONTROL_POLL = Duration.ofMillis(300);
    private static final String LOCK_FILE = "up.lock";
    private static final java.util.regex.Pattern SERVICE_OPTION = java.util.regex.Pattern.compile("([a-z]+-svc):(.+)");

    private final StackLayout layout;
    private final PrintStream progress;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private FileChannel lockChannel;
    private FileLock lock;
    private Gateway gateway;
    private EmbeddedPostgres postgres;
    private EmbeddedKafka kafka;
    private SigningKey signingKey;
    private final List<ServiceProcess> services = new ArrayList<>();
    /** Instances started beside the stack's own ({@link #launchInstance}); not supervised. */
    private final List<ServiceProcess> extraInstances = new ArrayList<>();
    /** The options the services were started with, and how they reach the infrastructure; set once they start. */
    private Options started;
    private ServiceProcess.Infra serviceInfra;
    /** From the moment every service is healthy: each is restarted when it dies ({@link ProcessWatch}). */
    private final List<ProcessWatch<ServiceProcess>> watches = new ArrayList<>();
    /** From the moment both answer: Kafka and PostgreSQL are restarted on their ports when they die. */
    private ProcessWatch<EmbeddedKafka> kafkaWatch;
    private ProcessWatch<EmbeddedPostgres> postgresWatch;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stack-restarts");
        t.setDaemon(true);
        return t;
    });
    private final ProcessWatch.Policy restartPolicy;
    private StackFile.State state;
    private volatile boolean closed;

    private Stack(StackLayout layout, PrintStream progress, ProcessWatch.Policy restartPolicy) {
        this.layout = layout;
        this.progress = progress;
        this.restartPolicy = restartPolicy;
    }

    /**
     * Starts everything and returns once every service answers healthy and the gateway serves; on failure stops
     * whatever it had started and throws an exception whose message says which component failed and why.
     */
    public static Stack start(Options options) {
        Stack stack = new Stack(new StackLayout(options.dataDir()), options.progress(), ProcessWatch.Policy.DEFAULT);
        stack.bringUp(options);
        return stack;
    }

    /** A stack not started yet, so that a shutdown hook can be in place before anything starts. */
    public static Stack prepare(Options options) {
        return new Stack(new StackLayout(options.dataDir()), options.progress(), ProcessWatch.Policy.DEFAULT);
    }

    /** Starts this stack (see {@link #start(Options)}); {@link #close()} from another thread aborts the start. */
    public void bringUp(Options options) {
        try {
            startAll(options);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void startAll(Options options) {
        createDirectories();
        acquireLock();
        StaleStack.clear(layout, progress);
        clearStopRequests();
        requirePackagedServices(options.home());
        Gateway bound = Gateway.bind(ServiceProcess.LOOPBACK, options.gatewayPort());
        synchronized (this) {
            gateway = bound;
            abortIfClosed();
        }

        progress.println("Starting PostgreSQL and Kafka (data in " + layout.dataDir() + ") ...");
        startInfrastructure();
        watchInfrastructure();
        ServiceSpec.ALL.forEach(s -> postgres().createDatabaseIfMissing(s.domain()));
        signingKey = SigningKey.loadOrCreate(layout.keys());

        progress.println("Starting " + ServiceSpec.ALL.size() + " services ...");
        EmbeddedPostgres pg = postgres();
        ServiceProcess.Infra infra = new ServiceProcess.Infra(kafka().bootstrapServers(), pg.host(), pg.port(),
                pg.user(), pg.password(), layout.keys().resolve(SigningKey.PUBLIC_FILE));
        Map<ServiceSpec, Supplier<ServiceProcess>> launchers = new LinkedHashMap<>();
        synchronized (this) {
            abortIfClosed();
            this.started = options;
            this.serviceInfra = infra;
            for (ServiceSpec spec : ServiceSpec.ALL) {
                launchers.put(spec, launcher(spec, options, infra));
                services.add(launchers.get(spec).get());
            }
        }
        awaitHealthy(options.startTimeout());

        Map<String, URI> urls = new LinkedHashMap<>();
        services.forEach(s -> urls.put(s.spec().name(), s.url()));
        synchronized (this) {
            abortIfClosed();
            gateway.start(urls);
            for (ServiceProcess first : services) {
                watches.add(new ProcessWatch<>(first.spec().name(), first, launchers.get(first.spec()), restartPolicy, restarts, progress,
                        w -> rewriteStackFile()));
            }
            state = describe();
            StackFile.write(layout, state);
            restarts.scheduleWithFixedDelay(this::applyStopRequests, CONTROL_POLL.toMillis(), CONTROL_POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A stop request is for the stack that was running; a new one starts every service. */
    private void clearStopRequests() {
        for (ServiceSpec spec : ServiceSpec.ALL) {
            try {
                Files.deleteIfExists(layout.stopRequest(spec.name()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + layout.stopRequest(spec.name()) + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * {@code slipway stop}/{@code start}: a service whose stop request file exists is stopped (SIGTERM, SIGKILL after the
     * grace) and not restarted; once the file is gone it is started again on its port.
     */
    private void applyStopRequests() {
        List<ProcessWatch<ServiceProcess>> now;
        synchronized (this) {
            if (closed) {
                return;
            }
            now = List.copyOf(watches);
        }
        for (ProcessWatch<ServiceProcess> w : now) {
            boolean stopRequested = Files.exists(layout.stopRequest(w.name()));
            if (stopRequested && w.hold()) {
                ServiceProcess p = w.current();
                progress.println("slipway: stopping " + w.name() + " (slipway stop); slipway start " + w.name() + " starts it again");
                p.requestStop();
                Thread.ofVirtual().name("slipway-stop-" + w.name()).start(() -> p.awaitStop(SERVICE_STOP_GRACE));
                rewriteStackFile();
            } else if (!stopRequested && w.state() == ProcessWatch.State.HELD) {
                progress.println("slipway: starting " + w.name() + " again (slipway start)");
                w.release();
            }
        }
    }

    /**
     * From now on a Kafka or PostgreSQL that dies (SIGKILL, out of memory) is started again on its ports and data, so the
     * services' connections find it where they left it: their clients reconnect, as they would to a restarted server.
     */
    private void watchInfrastructure() {
        synchronized (this) {
            abortIfClosed();
            int pgPort = postgres.port();
            int kafkaPort = kafka.port();
            int controllerPort = kafka.controllerPort();
            postgresWatch = new ProcessWatch<>("postgresql", postgres, () -> EmbeddedPostgres.start(layout.postgres(), pgPort),
                    restartPolicy, restarts, progress, w -> rewriteStackFile());
            kafkaWatch = new ProcessWatch<>("kafka", kafka, () -> EmbeddedKafka.start(layout.kafka(), kafkaPort, controllerPort),
                    restartPolicy, restarts, progress, w -> rewriteStackFile());
        }
    }

    /** The broker running now: the one a restart started, once there was one. */
    private synchronized EmbeddedKafka kafka() {
        return kafkaWatch != null ? kafkaWatch.current() : kafka;
    }

    private synchronized EmbeddedPostgres postgres() {
        return postgresWatch != null ? postgresWatch.current() : postgres;
    }

    /**
     * Starts one more instance of {@code service} beside the stack's own: the same database, Kafka, key, options and data
     * directory (as two replicas on one volume), on a port of its own, logging to {@code <service>-<n>.log}. The stack
     * does not restart it; it stops it on close. Answers it at once: {@link ServiceProcess#isHealthy} says when it serves.
     */
    public synchronized ServiceProcess launchInstance(String service) {
        abortIfClosed();
        if (started == null) {
            throw new IllegalStateException("the stack's services are not started yet");
        }
        ServiceSpec spec = ServiceSpec.ALL.stream().filter(s -> s.name().equals(service)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + service + " in the stack"));
        long same = extraInstances.stream().filter(p -> p.spec().equals(spec)).count();
        Path log = layout.logs().resolve(service + "-" + (same + 2) + ".log");
        ServiceProcess instance = ServiceProcess.launch(spec, ProjectHome.serviceJar(started.home(), service), serviceInfra,
                layout.service(service), serviceJvmOptions(spec, started), log, Processes.freePort());
        extraInstances.add(instance);
        return instance;
    }

    /** Starts {@code spec}'s service on a port picked once: a restart keeps the port, so the gateway's route holds. */
    private Supplier<ServiceProcess> launcher(ServiceSpec spec, Options options, ServiceProcess.Infra infra) {
        List<String> jvm = serviceJvmOptions(spec, options);
        Path jar = ProjectHome.serviceJar(options.home(), spec.name());
        int port = Processes.freePort();
        return () -> ServiceProcess.launch(spec, jar, infra, layout.service(spec.name()), jvm, layout.log(spec.name()), port);
    }

    private List<String> serviceJvmOptions(ServiceSpec spec, Options options) {
        List<String> jvm = jvmOptionsFor(spec.name(), options.serviceJvmOptions());
        if (spec.name().equals("deploy-svc")) {
            // `slipway run NAME` of an image `slipway build` made: deploy-svc reads build-svc's store
            jvm.add("-Dslipway.deploy.build-store=" + layout.service("build-svc").resolve("images").toAbsolutePath());
        }
        return jvm;
    }

    /** A restart changed a pid, or a service was given up: {@code status}, {@code down} and {@code events} read the file. */
    private synchronized void rewriteStackFile() {
        if (closed || state == null) { // before the first write, the stack is still starting
            return;
        }
        state = describe();
        StackFile.write(layout, state);
    }

    /** Before anything starts: a service that was never packaged is a build problem, not a start failure. */
    private static void requirePackagedServices(Path home) {
        List<String> missing = ServiceSpec.ALL.stream().map(s -> ProjectHome.serviceJar(home, s.name()))
                .filter(jar -> !Files.isRegularFile(jar)).map(Path::toString).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the services are not packaged (missing " + String.join(", ", missing)
                    + "); build them with: ./mvnw -B -q install -DskipTests");
        }
    }

    /**
     * The options for one service: every option, except that {@code <service>:<option>} (e.g.
     * {@code infra-svc:-Dslipway.infra.providers.cloud.kind=aws}) goes to that service only, as a service refuses
     * unknown settings under the prefixes it maps.
     */
    static List<String> jvmOptionsFor(String service, List<String> options) {
        List<String> jvm = new ArrayList<>();
        for (String o : options) {
            java.util.regex.Matcher m = SERVICE_OPTION.matcher(o);
            if (!m.matches()) {
                jvm.add(o);
            } else if (m.group(1).equals(service)) {
                jvm.add(m.group(2));
            }
        }
        return jvm;
    }

    private void abortIfClosed() {
        if (closed) {
            throw new IllegalStateException("the stack was stopped while it was starting");
        }
    }

    private void createDirectories() {
        try {
            Files.createDirectories(layout.logs());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + layout.dataDir() + ": " + e.getMessage(), e);
        }
    }

    /** One {@code up} per data directory: the lock closes the race that the stack.json check alone leaves open. */
    private void acquireLock() {
        StackFile.read(layout).flatMap(StackFile::liveUpProcess).ifPresent(h -> {
            throw new IllegalStateException(alreadyRunning(h.pid()));
        });
        try {
            lockChannel = FileChannel.open(layout.dataDir().resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + layout.dataDir().resolve(LOCK_FILE) + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            throw new IllegalStateException(alreadyRunning(-1));
        }
    }

    private String alreadyRunning(long pid) {
        return "a stack is already running on " + layout.dataDir() + (pid > 0 ? " (slipway up, pid " + pid + ")" : "")
                + "; stop it with: slipway down --data-dir " + layout.dataDir();
    }

    /** PostgreSQL and Kafka start side by side; if one fails the other is stopped again by {@link #close()}. */
    private void startInfrastructure() {
        var pg = CompletableFuture.supplyAsync(() -> EmbeddedPostgres.start(layout.postgres()));
        var broker = CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(layout.kafka()));
        RuntimeException failure = null;
        try {
            setPostgres(pg.join());
        } catch (CompletionException e) {
            failure = unwrap("PostgreSQL", e);
        }
        try {
            setKafka(broker.join());
        } catch (CompletionException e) {
            RuntimeException f = unwrap("Kafka", e);
            if (failure == null) {
                failure = f;
            } else {
                failure.addSuppressed(f);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Kept under the lock so that a concurrent {@link #close()} either sees it and stops it, or is seen here. */
    private synchronized void setPostgres(EmbeddedPostgres pg) {
        postgres = pg;
        if (closed) {
            pg.close();
        }
    }

    private synchronized void setKafka(EmbeddedKafka broker) {
        kafka = broker;
        if (closed) {
            broker.close();
        }
    }

    private static RuntimeException unwrap(String what, CompletionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        return cause instanceof RuntimeException r ? r : new IllegalStateException(what + " did not start: " + cause, cause);
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<ServiceProcess> starting = new LinkedHashSet<>(services);
        while (!starting.isEmpty()) {
            for (var it = starting.iterator(); it.hasNext(); ) {
                ServiceProcess s = it.next();
                if (!s.isAlive()) {
                    throw new IllegalStateException(s.spec().name() + " exited with code " + s.exitValue() + " while starting"
                            + logTail(s));
                }
                if (ServiceProcess.isHealthy(client, s.url())) {
                    progress.println("  " + s.spec().name() + " is up on " + s.url());
                    it.remove();
                }
            }
            if (starting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                ServiceProcess first = starting.iterator().next();
                throw new IllegalStateException(starting.stream().map(s -> s.spec().name()).toList() + " not healthy within "
                        + timeout.toSeconds() + " s (GET " + first.url() + "/q/health)" + logTail(first));
            }
            awaitAnyExit(starting, Duration.ofMillis(500));
        }
    }

    /** Waits a little between health probes, returning early when a service dies. */
    private static void awaitAnyExit(Set<ServiceProcess> processes, Duration max) {
        CompletableFuture<?>[] exits = processes.stream()
                .map(s -> ProcessHandle.of(s.pid()).map(ProcessHandle::onExit).orElse(CompletableFuture.completedFuture(null)))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(exits).get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException ignored) {
            // nobody died: probe again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the services to start", e);
        }
    }

    private static String logTail(ServiceProcess s) {
        return System.lineSeparator() + "--- last lines of " + s.log() + " ---" + System.lineSeparator() + s.logTail(40);
    }

    private StackFile.State describe() {
        List<StackFile.Service> svc = watches.stream().map(w -> {
            ServiceProcess s = w.current();
            return new StackFile.Service(s.spec().name(), s.spec().domain(), s.pid(), s.port(), s.url().toString(), s.log().toString(),
                    w.restarts(), w.lastExit(), w.state() == ProcessWatch.State.GAVE_UP, w.state() == ProcessWatch.State.HELD);
        }).toList();
        EmbeddedKafka k = kafkaWatch.current();
        EmbeddedPostgres pg = postgresWatch.current();
        return new StackFile.State(ProcessHandle.current().pid(), layout.dataDir().toString(), Instant.now().toString(),
                new StackFile.Endpoint(gateway.url().toString(), gateway.port()),
                new StackFile.Kafka(k.pid(), k.bootstrapServers(), kafkaWatch.restarts(), kafkaWatch.lastExit(),
                        kafkaWatch.state() == ProcessWatch.State.GAVE_UP),
                new StackFile.Postgres(pg.pid(), pg.port(), postgresWatch.restarts(), postgresWatch.lastExit(),
                        postgresWatch.state() == ProcessWatch.State.GAVE_UP), svc);
    }

    public StackFile.State state() {
        return state;
    }

    public StackLayout layout() {
        return layout;
    }

    public URI gatewayUrl() {
        return gateway.url();
    }

    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    public String token(Role role, Duration ttl) {
        return Tokens.issue(signingKey, "slipway-" + role.name(), role, ttl);
    }

    /** Every child process this stack started (services, Kafka, PostgreSQL), for checks that none outlives it. */
    public synchronized List<Long> childPids() {
        List<Long> pids = new ArrayList<>();
        currentServices().forEach(s -> pids.add(s.pid()));
        if (kafka() != null) {
            pids.add(kafka().pid());
        }
        if (postgres() != null) {
            pids.add(postgres().pid());
        }
        return pids;
    }

    /**
     * The pid of a component running now: {@code kafka}, {@code postgresql} or a service's name; after a restart, the
     * new process's. For tests that kill one, as a crash would.
     */
    public synchronized long pidOf(String component) {
        return watchOf(component).current().pid();
    }

    /** How often the stack has restarted a component ({@code kafka}, {@code postgresql}, a service) since it started. */
    public synchronized int restartsOf(String component) {
        return watchOf(component).restarts();
    }

    private ProcessWatch<?> watchOf(String component) {
        if (state == null) {
            throw new IllegalStateException("the stack is not up yet");
        }
        return switch (component) {
            case "kafka" -> kafkaWatch;
            case "postgresql" -> postgresWatch;
            default -> watch(component).orElseThrow(() -> new IllegalArgumentException("no component " + component
                    + " in the stack (kafka, postgresql, " + String.join(", ", ServiceSpec.ALL.stream().map(ServiceSpec::name).toList()) + ")"));
        };
    }

    /** Stops the gateway, the services (SIGTERM, SIGKILL after 15 s), Kafka and PostgreSQL; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        if (gateway != null) {
            gateway.close();
        }
        // the watches first: a service stopping now is not restarted, and each answers the process it last started
        List<ServiceProcess> running = new ArrayList<>(watches.isEmpty() ? List.copyOf(services)
                : watches.stream().map(ProcessWatch::stopWatching).toList());
        running.addAll(extraInstances);
        EmbeddedKafka k = kafkaWatch != null ? kafkaWatch.stopWatching() : kafka;
        EmbeddedPostgres pg = postgresWatch != null ? postgresWatch.stopWatching() : postgres;
        restarts.shutdownNow();
        running.forEach(ServiceProcess::requestStop);
        running.forEach(s -> s.awaitStop(SERVICE_STOP_GRACE));
        stopQuietly(k, failures);
        stopQuietly(pg, failures);
        StackFile.removeIfOwnedBy(layout, ProcessHandle.current().pid());
        releaseLock();
        failures.forEach(f -> System.err.println("slipway: " + f.getMessage()));
    }

    /** The service processes running now: the restarted ones once the stack is up. */
    private List<ServiceProcess> currentServices() {
        return watches.isEmpty() ? List.copyOf(services) : watches.stream().map(ProcessWatch::current).toList();
    }

    /** The watch of service {@code name}, for tests of what happens when a service dies. */
    synchronized Optional<ProcessWatch<ServiceProcess>> watch(String name) {
        return watches.stream().filter(w -> w.name().equals(name)).findFirst();
    }

    private static void stopQuietly(AutoCloseable component, List<RuntimeException> failures) {
        if (component == null) {
            return;
        }
        try {
            component.close();
        } catch (RuntimeException e) {
            failures.add(e);
        } catch (Exception e) {
            failures.add(new IllegalStateException(e.getMessage(), e));
        }
    }

    private void releaseLock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}
