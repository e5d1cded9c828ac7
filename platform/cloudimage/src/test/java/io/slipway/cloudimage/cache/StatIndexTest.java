package io.slipway.cloudimage.cache;

import io.slipway.cloudimage.layer.FileStat;
import io.slipway.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.assertj.core.api.Assertions.assertThat;

class StatIndexTest {

    @TempDir
    Path tmp;

    private static final Digest D = Digest.of("content".getBytes(StandardCharsets.UTF_8));

    private Path oldFile(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() - 10_000));
        return f;
    }

    @Test
    void remembersADigestUntilTheFileChanges() throws IOException {
        Path f = oldFile("a", "content");
        StatIndex index = StatIndex.load(tmp.resolve("index"));
        // the ctime is fresh (just written); a read that started later than the margin makes it safe to keep
        long readStart = System.currentTimeMillis() + 1_000;
        index.record(f, FileStat.of(f), D, readStart);
        assertThat(index.lookup(f, FileStat.of(f))).contains(D);

        Files.writeString(f, "CONTENT");
        assertThat(index.lookup(f, FileStat.of(f))).isEmpty();
    }

    @Test
    void forgetsFilesChangedTooCloseToTheirReading() throws IOException {
        Path f = tmp.resolve("fresh");
        Files.writeString(f, "content");
        StatIndex index = StatIndex.load(tmp.resolve("index"));
        index.record(f, FileStat.of(f), D, System.currentTimeMillis());
        assertThat(index.lookup(f, FileStat.of(f))).isEmpty();
    }

    @Test
    void savedEntriesSurviveAndConcurrentSavesMerge() throws IOException {
        Path a = oldFile("a", "content");
        Path b = oldFile("b", "other");
        Path file = tmp.resolve("cache/index");
        long later = System.currentTimeMillis() + 1_000;
        StatIndex one = StatIndex.load(file);
        StatIndex two = StatIndex.load(file);
        one.record(a, FileStat.of(a), D, later);
        two.record(b, FileStat.of(b), D, later);
        one.save();
        two.save();

        StatIndex reloaded = StatIndex.load(file);
        assertThat(reloaded.lookup(a, FileStat.of(a))).contains(D);
        assertThat(reloaded.lookup(b, FileStat.of(b))).contains(D);
        assertThat(reloaded.size()).isEqualTo(2);
    }
}
