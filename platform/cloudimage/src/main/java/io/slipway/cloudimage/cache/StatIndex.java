package io.slipway.cloudimage.cache;

import io.slipway.cloudimage.layer.FileStat;
import io.slipway.oci.Digest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content digests of files by what lstat says of them (path, size, mtime, ctime, inode, device), as git's index
 * keeps them: an unchanged file is never read again to know its digest. A file changed within
 * {@link #RACY_MARGIN_MILLIS} of being hashed is not remembered, since a later write in the same timestamp tick
 * would leave its stat unchanged ("racily clean" in git's words). Several builds may share one index: saving merges
 * under a file lock, and entries unused for {@link #KEEP_DAYS} days are dropped.
 */
public final class StatIndex {

    static final long RACY_MARGIN_MILLIS = 100;
    static final int KEEP_DAYS = 30;
    private static final int MAGIC = 0x534c5349;
    private static final int VERSION = 1;

    private record Entry(long size, long mtime, long ctime, long inode, long device, byte[] sha256, int day) {
        boolean matches(FileStat s) {
            return s.size() == size && s.mtimeNanos() == mtime && s.ctimeNanos() == ctime && s.inode() == inode
                    && s.device() == device;
        }
    }

    private final Path file;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Entry> touched = new ConcurrentHashMap<>();

    private StatIndex(Path file) {
        this.file = file;
    }

    static StatIndex load(Path file) throws IOException {
        StatIndex index = new StatIndex(file);
        index.entries.putAll(read(file));
        return index;
    }

    /** The digest remembered for this file if its stat has not changed since. */
    public Optional<Digest> lookup(Path path, FileStat stat) {
        String key = path.toString();
        Entry e = entries.get(key);
        if (e == null || !e.matches(stat)) {
            return Optional.empty();
        }
        int today = today();
        if (e.day() != today) {
            Entry used = new Entry(e.size, e.mtime, e.ctime, e.inode, e.device, e.sha256, today);
            entries.put(key, used);
            touched.put(key, used);
        }
        return Optional.of(Digest.fromHash(e.sha256()));
    }

    /**
     * Remembers the digest of a file whose content was read starting at {@code readStartMillis} and had
     * {@code stat} before that.
     */
    public void record(Path path, FileStat stat, Digest digest, long readStartMillis) {
        if (stat.changedNanos() >= (readStartMillis - RACY_MARGIN_MILLIS) * 1_000_000L) {
            return;
        }
        Entry e = new Entry(stat.size(), stat.mtimeNanos(), stat.ctimeNanos(), stat.inode(), stat.device(),
                HexFormat.of().parseHex(digest.hex()), today());
        entries.put(path.toString(), e);
        touched.put(path.toString(), e);
    }

    /** Writes what this process learned, merged with what other builds saved meanwhile. */
    public synchronized void save() throws IOException {
        if (touched.isEmpty()) {
            return;
        }
        Files.createDirectories(file.getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lock.lock()) {
            Map<String, Entry> merged = read(file);
            merged.putAll(touched);
            int oldest = today() - KEEP_DAYS;
            merged.values().removeIf(e -> e.day() < oldest);
            Path part = Files.createTempFile(file.getParent(), "stat-index-", ".part");
            try {
                write(part, merged);
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(part);
            }
            touched.clear();
        }
    }

    int size() {
        return entries.size();
    }

    private static Map<String, Entry> read(Path file) throws IOException {
        Map<String, Entry> result = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return result;
            }
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String path = in.readUTF();
                long size = in.readLong();
                long mtime = in.readLong();
                long ctime = in.readLong();
                long inode = in.readLong();
                long device = in.readLong();
                byte[] sha = new byte[32];
                in.readFully(sha);
                int day = in.readInt();
                result.put(path, new Entry(size, mtime, ctime, inode, device, sha, day));
            }
        } catch (NoSuchFileException e) {
            return result;
        } catch (EOFException e) {
            // a truncated index (a crash while copying it by hand) only costs re-hashing
            return new HashMap<>();
        }
        return result;
    }

    private static void write(Path file, Map<String, Entry> entries) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(entries.size());
            for (Map.Entry<String, Entry> me : entries.entrySet()) {
                Entry e = me.getValue();
                out.writeUTF(me.getKey());
                out.writeLong(e.size());
                out.writeLong(e.mtime());
                out.writeLong(e.ctime());
                out.writeLong(e.inode());
                out.writeLong(e.device());
                out.write(e.sha256());
                out.writeInt(e.day());
            }
        }
    }

    private static int today() {
        return (int) LocalDate.now().toEpochDay();
    }
}
