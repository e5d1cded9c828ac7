package io.slipway.provision.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A provider's directory of records that outlive the JVM (the local and static providers'): property files written to
 * a temporary name and renamed, so a crash leaves the old record or the new one, and one lock held across this JVM's
 * threads and other JVMs while a provider reads and changes them.
 */
public final class StateDirectory {
    /** A file lock belongs to the JVM, not to a thread: two providers of one JVM over one directory also need this. */
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final ReentrantLock lock;

    public StateDirectory(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the state directory " + dir + ": " + e.getMessage(), e);
        }
        this.lock = LOCKS.computeIfAbsent(this.dir, d -> new ReentrantLock());
    }

    public Path dir() {
        return dir;
    }

    /** Work that reads and changes the records. */
    public interface Work<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} holding the directory's lock; an I/O failure is rethrown unchecked, naming the directory. */
    public <T> T locked(Work<T> work) {
        lock.lock();
        try (FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            return work.run();
        } catch (IOException e) {
            throw new UncheckedIOException("the records in " + dir + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    public static Optional<Properties> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return Optional.of(p);
    }

    public static void write(Path file, Properties p) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A file name for a token (printable ASCII, which may hold '/'): its hex. */
    public static String fileName(String token) {
        return java.util.HexFormat.of().formatHex(token.getBytes(StandardCharsets.US_ASCII));
    }
}
