package io.slipway.event.route;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The routing configuration's home: a YAML file, read at start, read again whenever it changes (a watch on its
 * directory, which also sees a Kubernetes ConfigMap's symlink swap, with a periodic check as a fallback) and written
 * when an operator replaces it through the API. An invalid document never replaces a valid one: the file's error is
 * logged and kept for the API to show, and the routing in force stays as it was.
 */
public final class RouteStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouteStore.class);
    private static final long SETTLE_MS = 50;

    private final Path file;
    private final RouteConfigParser parser;
    private final Duration checkInterval;
    private final Consumer<RouteConfig> admit;
    private final List<Consumer<RouteConfig>> listeners = new CopyOnWriteArrayList<>();
    private volatile RouteConfig current = RouteConfig.empty();
    private volatile String lastError;
    private String rejectedText;
    private volatile boolean closed;
    private Thread watcher;
    private WatchService watch;

    public RouteStore(Path file, RouteConfigParser parser, Duration checkInterval) {
        this(file, parser, checkInterval, config -> { });
    }

    /**
     * A store that puts a configuration in force only when {@code admit} accepts it (it throws {@link ConfigError}
     * otherwise), whether the configuration comes from the API or from a hand-edited file: a receiver the outbound policy
     * refuses keeps the whole document out, as a syntax error would.
     */
    public RouteStore(Path file, RouteConfigParser parser, Duration checkInterval, Consumer<RouteConfig> admit) {
        this.file = file.toAbsolutePath();
        this.parser = parser;
        this.checkInterval = checkInterval;
        this.admit = admit;
    }

    public Path file() {
        return file;
    }

    public RouteConfig current() {
        return current;
    }

    /** Why the file's present content is not in force, or null when it is. */
    public String lastError() {
        return lastError;
    }

    /** Called with every configuration that comes into force, on the thread that loaded it. */
    public void onChange(Consumer<RouteConfig> listener) {
        listeners.add(listener);
    }

    /** Reads the file (a missing file is an empty configuration) and starts watching it. */
    public synchronized void start() {
        reload();
        try {
            Files.createDirectories(file.getParent());
            watch = file.getFileSystem().newWatchService();
            file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            LOG.warnf("cannot watch %s (%s); checking it every %s instead", file.getParent(), e.getMessage(), checkInterval);
        }
        watcher = new Thread(this::watchLoop, "sink-routes-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Replaces the configuration with {@code text}: checked completely first; masked secrets ({@value Secrets#MASK})
     * are taken from the configuration in force; then admitted (the store's check), written to the file and put in
     * force. Nothing changes on error.
     */
    public synchronized RouteConfig replace(String text) throws IOException {
        RouteConfig parsed = parser.parse(text);
        if (parsed.secrets().stream().anyMatch(f -> f.raw().contains(Secrets.MASK))) {
            String restored = Secrets.restore(text, parsed.secrets(), current.secrets(), f -> new ConfigError(f.key(), lineOf(text, f.start()),
                    columnOf(text, f.start()), "holds a masked secret (" + Secrets.MASK + ") but no secret is stored for it to keep; give the real value"));
            parsed = parser.parse(restored);
        }
        admit.accept(parsed);
        write(parsed.text());
        apply(parsed);
        lastError = null;
        rejectedText = null;
        return parsed;
    }

    /** Reads the file again; returns whether the configuration in force changed. */
    public synchronized boolean reload() {
        String text;
        try {
            text = settled();
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.warnf("cannot read routing file %s: %s", file, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (text.equals(current.text()) || text.equals(rejectedText)) {
            return false;
        }
        try {
            RouteConfig parsed = parser.parse(text);
            admit.accept(parsed);
            apply(parsed);
            lastError = null;
            rejectedText = null;
            LOG.infof("routing from %s in force: %d receiver(s)", file, parsed.receivers().size());
            return true;
        } catch (ConfigError e) {
            lastError = file.getFileName() + ": " + e.getMessage(); // shown by GET /api/v1/sinks: the name, not the server's path
            rejectedText = text;
            LOG.errorf("routing file %s not used, the previous routing stays in force: %s", file, e.getMessage());
            return false;
        }
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

    private void apply(RouteConfig config) {
        current = config;
        for (Consumer<RouteConfig> l : listeners) {
            l.accept(config);
        }
    }

    private void write(String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
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
                reload();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("routing file watch: %s", e.getMessage());
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
