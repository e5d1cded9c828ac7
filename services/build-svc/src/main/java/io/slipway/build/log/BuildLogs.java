package io.slipway.build.log;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Build logs: one append-only file per build under the data dir, so a log stays readable after the build and after
 * a restart; readers follow it by byte offset (what the SSE endpoint streams).
 */
public final class BuildLogs {
    private final Path dir;

    public BuildLogs(Path dataDir) {
        try {
            this.dir = Files.createDirectories(dataDir.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A writer for one build's log; each line gets a timestamp. */
    public Writer open(String buildId) throws IOException {
        return Files.newBufferedWriter(file(buildId), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public static String line(String text) {
        return Instant.now() + " " + text + "\n";
    }

    public boolean exists(String buildId) {
        return Files.exists(file(buildId));
    }

    /** What was written from {@code offset} on (whole lines only), and the offset after it. */
    public Chunk read(String buildId, long offset) throws IOException {
        Path file = file(buildId);
        if (!Files.exists(file)) {
            return new Chunk("", offset);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (offset >= length) {
                return new Chunk("", offset);
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 1 << 20)];
            raf.seek(offset);
            raf.readFully(bytes);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
            return new Chunk(new String(bytes, 0, end, StandardCharsets.UTF_8), offset + end);
        }
    }

    private Path file(String buildId) {
        if (!buildId.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("not a build id: " + buildId);
        }
        return dir.resolve(buildId + ".log");
    }

    /** A piece of a log and where the next read starts. */
    public record Chunk(String text, long nextOffset) {
    }
}
