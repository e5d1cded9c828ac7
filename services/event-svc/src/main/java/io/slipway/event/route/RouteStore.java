package io.slipway.event.route;

import io.slipway.backbone.EventContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The routing in force on this instance, and how it follows the routing document's versions in the database: the
 * newest version wins, and versions only move forward. A change written here (the API, or an import of the routes file)
 * is stored with its {@code RoutesChanged} event and comes into force at once; other instances learn of it from the
 * event ({@link #follow}) and, should they miss one, from asking the database every {@code check-interval}
 * ({@link #check}). An invalid document never replaces a valid one: an invalid PUT is refused, an invalid file is not
 * imported, and a stored version this instance cannot use (a variable it lacks, an address its policy refuses) leaves
 * the routing in force as it was; each error is logged and kept for the API to show.
 */
public final class RouteStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouteStore.class);
    private static final long SETTLE_MS = 50;

    private final RouteVersions versions;
    private final Path file;
    private final RouteConfigParser parser;
    private final Duration checkInterval;
    private final Consumer<RouteConfig> admit;
    private final List<Consumer<RouteConfig>> listeners = new CopyOnWriteArrayList<>();
    private volatile RouteConfig current = RouteConfig.empty();
    private volatile long version;
    private volatile String fileError;
    private volatile String versionError;
    private long rejectedVersion;
    /** What the file held when it was last imported or refused; null after it was missing. */
    private String fileText;
    private volatile boolean closed;
    private Thread watcher;
    private WatchService watch;

    /**
     * A store that puts a configuration in force only when {@code admit} accepts it (it throws {@link ConfigError}
     * otherwise), whether the configuration comes from the API, the file or another instance: a receiver the outbound
     * policy refuses keeps the whole document out, as a syntax error would.
     *
     * @param file the routes file to import from, if any
     */
    public RouteStore(RouteVersions versions, RouteConfigParser parser, Duration checkInterval, Consumer<RouteConfig> admit,
                      Optional<Path> file) {
        this.versions = versions;
        this.file = file.map(Path::toAbsolutePath).orElse(null);
        this.parser = parser;
        this.checkInterval = checkInterval;
        this.admit = admit;
    }

    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    public RouteConfig current() {
        return current;
    }

    /** The version in force here; 0 before any. */
    public long version() {
        return version;
    }

    /** Why the file's content or the newest version is not in force, or null when nothing is refused. */
    public String lastError() {
        String f = fileError;
        String v = versionError;
        return f == null ? v : v == null ? f : f + "; " + v;
    }

    /** Called with every configuration that comes into force, on the thread that loaded it. */
    public void onChange(Consumer<RouteConfig> listener) {
        listeners.add(listener);
    }

    /**
     * Puts the newest version in force, imports the file if it holds something new, and starts watching both. A
     * database that cannot be reached now leaves the routing empty until the next check reaches it.
     */
    public synchronized void start() {
        try {
            check();
            importFile();
        } catch (RuntimeException e) {
            LOG.warnf("routing not loaded at start (%s); trying again every %s", e.getMessage(), checkInterval);
        }
        if (file != null) {
            try {
                Files.createDirectories(file.getParent());
                watch = file.getFileSystem().newWatchService();
                file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException e) {
                LOG.warnf("cannot watch %s (%s); checking it every %s instead", file.getParent(), e.getMessage(), checkInterval);
            }
        }
        watcher = new Thread(this::watchLoop, "sink-routes-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Replaces the routing with {@code text}, written by {@code changedBy}: checked completely first; masked secrets
     * ({@value Secrets#MASK}) are taken from the newest version; then admitted (the store's check), stored as a new
     * version with its event, and put in force. Nothing changes on error; a document that is the newest version already
     * stores nothing.
     */
    public synchronized RouteConfig replace(String text, String changedBy, EventContext context) {
        check(); // masked secrets come back from the newest version, which another instance may have written
        RouteConfig parsed = parser.parse(text);
        if (parsed.secrets().stream().anyMatch(f -> f.raw().contains(Secrets.MASK))) {
            String restored = Secrets.restore(text, parsed.secrets(), current.secrets(), f -> new ConfigError(f.key(), lineOf(text, f.start()),
                    columnOf(text, f.start()), "holds a masked secret (" + Secrets.MASK + ") but no secret is stored for it to keep; give the real value"));
            parsed = parser.parse(restored);
        }
        admit.accept(parsed);
        RouteConfig written = parsed;
        versions.append(written.text(), names(written), changedBy, context).ifPresent(v -> {
            LOG.infof("routing version %d written by %s: %d receiver(s)", v.version(), changedBy, written.receivers().size());
            put(written, v.version());
        });
        return written;
    }

    /**
     * A {@code RoutesChanged} event said version {@code changed} exists: unless this instance is there already, it puts
     * the newest version in force (which is {@code changed} or one written since). Returns whether the routing changed.
     */
    public synchronized boolean follow(long changed) {
        return changed > version && check();
    }

    /**
     * Puts the newest version in force if it is newer than the one in force; returns whether the routing changed. A
     * version this instance cannot use is refused once (its error kept) and the routing stays as it was.
     */
    public synchronized boolean check() {
        Optional<StoredRoutes> newest = versions.newest();
        if (newest.isEmpty() || newest.get().version() <= version || newest.get().version() == rejectedVersion) {
            return false;
        }
        StoredRoutes v = newest.get();
        try {
            RouteConfig parsed = parser.parse(v.text());
            admit.accept(parsed);
            put(parsed, v.version());
            LOG.infof("routing version %d (%s, %s) in force: %d receiver(s)", v.version(), v.changedBy(), v.changedAt(), parsed.receivers().size());
            return true;
        } catch (ConfigError e) {
            rejectedVersion = v.version();
            versionError = "version " + v.version() + ": " + e.getMessage();
            LOG.errorf("routing version %d (%s) not used by this instance, version %d stays in force: %s", v.version(), v.changedBy(), version,
                    e.getMessage());
            return false;
        }
    }

    /**
     * Reads the file and, when it holds a document not handled before, imports it as a new version (unless the database
     * says that changes nothing, see {@link RouteVersions#changesNothing}); returns whether a version was stored. An
     * invalid document is not imported: its error is kept and logged once.
     */
    public synchronized boolean importFile() {
        if (file == null) {
            return false;
        }
        String text;
        try {
            text = settled();
        } catch (NoSuchFileException e) {
            fileText = null;
            fileError = null;
            return false;
        } catch (IOException e) {
            LOG.warnf("cannot read routing file %s: %s", file, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (text.equals(fileText)) {
            return false;
        }
        RouteConfig parsed;
        try {
            parsed = parser.parse(text);
            admit.accept(parsed);
        } catch (ConfigError e) {
            fileText = text;
            fileError = file.getFileName() + ": " + e.getMessage(); // shown by GET /api/v1/sinks: the name, not the server's path
            LOG.errorf("routing file %s not imported, the routing in force stays: %s", file, e.getMessage());
            return false;
        }
        Optional<StoredRoutes> stored = versions.append(text, names(parsed), StoredRoutes.importedFrom(file), EventContext.newRequest(null));
        fileText = text;
        fileError = null;
        stored.ifPresent(v -> {
            LOG.infof("routing file %s imported as version %d: %d receiver(s)", file, v.version(), parsed.receivers().size());
            put(parsed, v.version());
        });
        return stored.isPresent();
    }

    private static List<String> names(RouteConfig config) {
        return config.receivers().stream().map(Receiver::name).toList();
    }

    /**
     * The file's content once it stopped changing: an editor or {@code echo >} truncates and then writes, and the
     * half-written file in between may well be valid YAML that routes nothing.
     */
    private String settled() throws IOException, InterruptedException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            Thread.sleep(SETTLE_MS);
            String again = Files.readString(file, StandardCharsets.UTF_8);
            if (again.equals(text)) {
                return text;
            }
            text = again;
        }
        return text;
    }

    private void put(RouteConfig config, long stored) {
        if (stored <= version) {
            return;
        }
        current = config;
        version = stored;
        versionError = null;
        for (Consumer<RouteConfig> l : listeners) {
            l.accept(config);
        }
    }

    private void watchLoop() {
        while (!closed) {
            try {
                if (watch != null) {
                    var key = watch.poll(checkInterval.toMillis(), TimeUnit.MILLISECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                } else {
                    Thread.sleep(checkInterval.toMillis());
                }
                importFile();
                check();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("routing check failed, trying again in %s: %s", checkInterval, e.getMessage());
            }
        }
    }

    static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    static int columnOf(String text, int index) {
        int lineStart = text.lastIndexOf('\n', Math.max(0, index - 1)) + 1;
        return index - lineStart + 1;
    }

    @Override
    public void close() {
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
        try {
            if (watch != null) {
                watch.close();
            }
        } catch (IOException e) {
            LOG.debugf("closing the routing watch: %s", e.getMessage());
        }
    }
}
