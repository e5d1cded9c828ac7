package io.slipway.cloudimage.build;

import io.slipway.cloudimage.kubefile.KubefileException;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static io.slipway.cloudimage.build.ContextFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** COPY, ADD and APP read nothing outside the build context, and archives write nothing outside their target. */
class ContextSecurityTest {

    @TempDir
    Path tmp;
    private Path ctx;
    private Path secret;
    private CloudImageBuilder builder;

    @BeforeEach
    void context() throws IOException {
        ctx = tmp.resolve("ctx");
        secret = write(tmp, "secret.txt", "do not leak");
        write(ctx, "ok/file.txt", "fine");
        Files.createSymbolicLink(ctx.resolve("out-link"), secret);
        Files.createSymbolicLink(ctx.resolve("dir-link"), tmp);
        write(ctx, "tree/inner.txt", "x");
        builder = new CloudImageBuilder(ImageStore.open(tmp.resolve("store")));
    }

    private void build(String kubefile) throws IOException {
        write(ctx, "Kubefile", "FROM scratch\n" + kubefile + "\n");
        builder.build(BuildSpec.builder(ctx).platform(Platform.parse("linux/amd64")).build(), BuildListener.NONE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            dot-dot            | COPY ../secret.txt x                 | Kubefile:2: COPY source ../secret.txt escapes the build context
            dot-dot inside     | COPY ok/../../secret.txt x           | Kubefile:2: COPY source ok/../../secret.txt escapes the build context
            absolute           | COPY /etc/passwd x                   | Kubefile:2: COPY source /etc/passwd is an absolute path; sources are relative to the build context
            missing            | COPY nothing.txt x                   | Kubefile:2: COPY source nothing.txt does not exist in the build context
            glob nothing       | COPY *.none x/                       | Kubefile:2: COPY source pattern *.none matches nothing in the build context
            APP dot-dot        | APP a local://../secret.txt          | Kubefile:2: APP source ../secret.txt escapes the build context
            ADD absolute       | ADD /etc/hostname x                  | Kubefile:2: ADD source /etc/hostname is an absolute path; sources are relative to the build context
            destination above  | COPY ok/file.txt ../../x             | Kubefile:2: COPY destination ../../x climbs above the image root
            several into file  | COPY ok/file.txt tree/inner.txt dest | Kubefile:2: COPY with several sources needs a directory destination ending in '/', not dest
            """)
    void refusesSourcesOutsideTheContext(String rule, String instruction, String message) {
        assertThatThrownBy(() -> build(instruction)).as(rule).isInstanceOf(KubefileException.class).hasMessage(message);
    }

    @Test
    void refusesSymbolicLinksThatLeadOut() throws IOException {
        assertThatThrownBy(() -> build("COPY out-link x"))
                .hasMessage("Kubefile:2: COPY source out-link resolves through a symbolic link to " + secret.toRealPath()
                        + ", outside the build context");
        assertThatThrownBy(() -> build("COPY dir-link/secret.txt x"))
                .hasMessageStartingWith("Kubefile:2: COPY source dir-link/secret.txt resolves through a symbolic link to");

        Files.createSymbolicLink(ctx.resolve("tree/abs"), Path.of("/etc/passwd"));
        assertThatThrownBy(() -> build("COPY tree tree/"))
                .hasMessage("Kubefile:2: COPY symbolic link tree/abs points to the absolute path /etc/passwd, outside the build context");
        Files.delete(ctx.resolve("tree/abs"));

        Files.createSymbolicLink(ctx.resolve("tree/up"), Path.of("../../secret.txt"));
        assertThatThrownBy(() -> build("APP a local://tree"))
                .hasMessage("Kubefile:2: APP symbolic link tree/up -> ../../secret.txt points outside the build context");
        Files.delete(ctx.resolve("tree/up"));

        Files.createSymbolicLink(ctx.resolve("tree/sibling"), Path.of("../ok/file.txt"));
        build("COPY tree tree/");
    }

    @Test
    void refusesArchivesWhoseEntriesLeadOut() throws IOException {
        archive("dotdot.tar.gz", "../../escaped.txt", null);
        assertThatThrownBy(() -> build("ADD dotdot.tar.gz /unpacked/"))
                .hasMessage("Kubefile:2: ADD archive dotdot.tar.gz: entry ../../escaped.txt climbs out of the archive with '..'");

        archive("absolute.tar.gz", "/etc/cron.d/evil", null);
        assertThatThrownBy(() -> build("ADD absolute.tar.gz /unpacked/"))
                .hasMessage("Kubefile:2: ADD archive absolute.tar.gz: entry /etc/cron.d/evil has an absolute path");

        archive("link.tar.gz", "escape", "../../..");
        assertThatThrownBy(() -> build("ADD link.tar.gz /unpacked/"))
                .hasMessage("Kubefile:2: ADD archive link.tar.gz: symbolic link escape -> ../../.. points outside the archive");

        archive("abslink.tar.gz", "etc", "/etc");
        assertThatThrownBy(() -> build("ADD abslink.tar.gz /unpacked/"))
                .hasMessage("Kubefile:2: ADD archive abslink.tar.gz: symbolic link etc -> /etc points to an absolute path");

        try (OutputStream out = Files.newOutputStream(ctx.resolve("fifo.tar"));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.putArchiveEntry(new TarArchiveEntry("pipe", TarArchiveEntry.LF_FIFO));
            tar.closeArchiveEntry();
        }
        assertThatThrownBy(() -> build("ADD fifo.tar /unpacked/"))
                .hasMessage("Kubefile:2: ADD archive fifo.tar: entry pipe is a device, FIFO or other special file; "
                        + "only files, directories and links are accepted");

        // each link is inside on its own (a/b -> .. is the root; a/b/c -> .. is a/b/.. by name), but a/b/c is really c in
        // the root, and c -> .. is above it
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(ctx.resolve("chain.tar.gz")));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.putArchiveEntry(new TarArchiveEntry("a/"));
            tar.closeArchiveEntry();
            for (String link : new String[] {"a/b", "a/b/c"}) {
                TarArchiveEntry e = new TarArchiveEntry(link, TarArchiveEntry.LF_SYMLINK, true);
                e.setLinkName("..");
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
        }
        assertThatThrownBy(() -> build("ADD chain.tar.gz /unpacked/"))
                .hasMessage("Kubefile:2: ADD archive chain.tar.gz: symbolic link c -> .. leads outside the archive through the links on its way");

        // a long (PAX) name with a NUL in it threw InvalidPathException, a 500 for an upload (found by ArchiveFuzzTest)
        try (OutputStream out = Files.newOutputStream(ctx.resolve("nul.tar"));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.putArchiveEntry(new TarArchiveEntry("d/".repeat(60) + "a\0b.txt"));
            tar.closeArchiveEntry();
        }
        assertThatThrownBy(() -> build("ADD nul.tar /unpacked/"))
                .hasMessage("Kubefile:2: ADD archive nul.tar: entry " + "d/".repeat(60) + "a\\0b.txt has a NUL character in its name");

        assertThat(tmp.resolve("escaped.txt")).doesNotExist();
        assertThat(Files.readString(secret)).isEqualTo("do not leak");
    }

    @Test
    void aKubefileIsReadOnlyInsideTheContext() throws IOException {
        // a Kubefile that is a link to a host file would show that file's lines in its parse errors
        Files.createSymbolicLink(ctx.resolve("Kubefile.link"), secret);
        assertThatThrownBy(() -> builder.build(BuildSpec.builder(ctx).kubefile(ctx.resolve("Kubefile.link"))
                .platform(Platform.parse("linux/amd64")).build(), BuildListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the Kubefile Kubefile.link resolves through a symbolic link to outside the build context")
                .hasMessageNotContaining("do not leak");
    }

    /** A gzip'd tar with one entry: a file named {@code name}, or a symbolic link to {@code linkTarget}. */
    private void archive(String file, String name, String linkTarget) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(ctx.resolve(file)));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            if (linkTarget == null) {
                byte[] content = "pwned".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(name, true);
                e.setSize(content.length);
                tar.putArchiveEntry(e);
                tar.write(content);
            } else {
                TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
                e.setLinkName(linkTarget);
                tar.putArchiveEntry(e);
            }
            tar.closeArchiveEntry();
        }
    }
}
