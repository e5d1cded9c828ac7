package io.slipway.cloudimage.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What lstat says about a file, enough to tell (like git's index) that a file is unchanged without reading it: size,
 * modification and change times in nanoseconds, inode and device, and the mode bits.
 */
public record FileStat(Type type, long size, long mtimeNanos, long ctimeNanos, long inode, long device, int mode) {

    /** The kinds of file a layer can hold, and the rest. */
    public enum Type { FILE, DIRECTORY, SYMLINK, OTHER }

    private static final String UNIX_ATTRIBUTES = "unix:mode,size,lastModifiedTime,ctime,ino,dev";

    /** Stats {@code path} itself (a symlink is not followed). */
    public static FileStat of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        Type type = switch (mode & 0170000) {
            case 0100000 -> Type.FILE;
            case 0040000 -> Type.DIRECTORY;
            case 0120000 -> Type.SYMLINK;
            default -> Type.OTHER;
        };
        return new FileStat(type, (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
                nanos((FileTime) a.get("ctime")), (Long) a.get("ino"), (Long) a.get("dev"), mode & 07777);
    }

    public boolean executable() {
        return (mode & 0100) != 0;
    }

    /** The later of mtime and ctime: a file touched at or after this instant may have changed. */
    public long changedNanos() {
        return Math.max(mtimeNanos, ctimeNanos);
    }

    private static long nanos(FileTime time) {
        return time.to(TimeUnit.NANOSECONDS);
    }
}
