package io.slipway.cloudimage.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any uploaded context archive (tar or gzip; with links, devices, long names, huge or sparse sizes) unpacks inside its
 * directory, or is refused with a {@link ContextException}. Nothing is written outside the target.
 */
class ArchiveFuzzTest {
    private static final ArchiveExtractor.Limits LIMITS = new ArchiveExtractor.Limits(64L << 20, 10_000);

    @TempDir
    Path dir;

    @Test
    void anyArchiveUnpacksInsideItsDirectoryOrIsRefused() throws IOException {
        byte[] tar = tar();
        List<byte[]> corpus = List.of(tar, gzip(tar));
        AtomicInteger n = new AtomicInteger();
        Fuzzer.Report report = Fuzzer.bytes("context archive", corpus)
                .dictionary("ustar\u000000", "ustar  \u0000", "../", "/etc/", "0000777\u0000", "77777777777\u0000", "\u0080\u0000\u0000\u0001",
                        "1", "2", "3", "4", "5", "6", "7", "L", "K", "x", "g", "S", "././@LongLink", "path=", "size=9999999999\n",
                        "GNU.sparse.realsize=99999999999\n", "linkpath=/\n", "\u001f\u008b\u0008\u0000")
                .inputs(500)
                .timeLimit(java.time.Duration.ofSeconds(20))
                .run(input -> {
                    Path work = Files.createDirectories(dir.resolve("in" + n.incrementAndGet()));
                    Path archive = work.resolve("context.tar");
                    Files.write(archive, input);
                    ArchiveExtractor.extract(archive, work.resolve("out"), "context.tar", LIMITS);
                }, ContextException.class);
        for (int i = 1; i <= n.get(); i++) {
            try (var written = Files.list(dir.resolve("in" + i))) {
                assertThat(written.map(p -> p.getFileName().toString())).as("nothing beside the target")
                        .isSubsetOf("context.tar", "out");
            }
        }
        assertThat(report.crashes()).isEmpty();
    }

    private static byte[] tar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            dir(out, "manifests/");
            file(out, "manifests/app.yaml", "kind: Deployment\n");
            file(out, "manifests/" + "deep/".repeat(30) + "long-name.yaml", "x");
            TarArchiveEntry link = new TarArchiveEntry("manifests/link.yaml", TarConstants.LF_SYMLINK);
            link.setLinkName("app.yaml");
            out.putArchiveEntry(fixed(link));
            out.closeArchiveEntry();
            TarArchiveEntry hard = new TarArchiveEntry("manifests/hard.yaml", TarConstants.LF_LINK);
            hard.setLinkName("manifests/app.yaml");
            out.putArchiveEntry(fixed(hard));
            out.closeArchiveEntry();
            file(out, "Kubefile", "FROM scratch\nCOPY manifests /\n");
        }
        return bytes.toByteArray();
    }

    private static void dir(TarArchiveOutputStream out, String name) throws IOException {
        out.putArchiveEntry(fixed(new TarArchiveEntry(name)));
        out.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream out, String name, String text) throws IOException {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        out.putArchiveEntry(fixed(entry));
        out.write(content);
        out.closeArchiveEntry();
    }

    /** The corpus is the same bytes on every machine and day, so a seed names the same inputs: no time, no user. */
    private static TarArchiveEntry fixed(TarArchiveEntry entry) {
        entry.setModTime(0);
        entry.setUserName("slipway");
        entry.setGroupName("slipway");
        return entry;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }
}
