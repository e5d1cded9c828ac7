package io.slipway.cloudimage.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An archive is counted by what it unpacks to: a small gzip of zeros or of many entries cannot fill the disk. */
class ArchiveExtractorLimitsTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aGzipBombIsRefusedBeforeItsContentIsWritten() throws IOException {
        Path bomb = tmp.resolve("bomb.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry small = new TarArchiveEntry("small.bin");
            small.setSize(MIB);
            tar.putArchiveEntry(small);
            tar.write(new byte[(int) MIB]);
            tar.closeArchiveEntry();
            TarArchiveEntry zeros = new TarArchiveEntry("zeros.bin");
            zeros.setSize(64 * MIB);
            tar.putArchiveEntry(zeros);
            byte[] block = new byte[(int) MIB];
            for (int i = 0; i < 64; i++) {
                tar.write(block);
            }
            tar.closeArchiveEntry();
        }
        assertThat(Files.size(bomb)).as("the archive itself is small").isLessThan(MIB);

        Path target = tmp.resolve("out");
        assertThatThrownBy(() -> ArchiveExtractor.extract(bomb, target, "bomb.tar.gz", new ArchiveExtractor.Limits(32 * MIB, 100)))
                .isInstanceOf(ContextException.class)
                .hasMessage("archive bomb.tar.gz unpacks to more than " + 32 * MIB + " bytes (the limit) at entry zeros.bin; "
                        + "a compressed archive is counted by what it unpacks to");
        assertThat(target.resolve("small.bin")).hasSize(MIB);
        assertThat(target.resolve("zeros.bin")).as("refused from its header, before a byte was written").doesNotExist();

        // the same archive within the limit unpacks whole
        ArchiveExtractor.extract(bomb, tmp.resolve("roomy"), "bomb.tar.gz", new ArchiveExtractor.Limits(65 * MIB, 100));
        assertThat(tmp.resolve("roomy/zeros.bin")).hasSize(64 * MIB);
    }

    @Test
    void hardLinksCountAsTheCopiesTheyBecomeAndEntriesAreCounted() throws IOException {
        Path links = tmp.resolve("links.tar");
        try (OutputStream out = Files.newOutputStream(links); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry file = new TarArchiveEntry("f");
            file.setSize(MIB);
            tar.putArchiveEntry(file);
            tar.write(new byte[(int) MIB]);
            tar.closeArchiveEntry();
            for (int i = 0; i < 20; i++) {
                TarArchiveEntry link = new TarArchiveEntry("l" + i, TarArchiveEntry.LF_LINK);
                link.setLinkName("f");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
        }
        assertThatThrownBy(() -> ArchiveExtractor.extract(links, tmp.resolve("a"), "links.tar", new ArchiveExtractor.Limits(10 * MIB, 1000)))
                .hasMessageStartingWith("archive links.tar unpacks to more than " + 10 * MIB + " bytes (the limit) at entry l9;");
        assertThatThrownBy(() -> ArchiveExtractor.extract(links, tmp.resolve("b"), "links.tar", new ArchiveExtractor.Limits(100 * MIB, 15)))
                .hasMessage("archive links.tar holds more than 15 entries, the most an archive may unpack to");
        ArchiveExtractor.extract(links, tmp.resolve("c"), "links.tar", new ArchiveExtractor.Limits(21 * MIB, 21));
        assertThat(tmp.resolve("c/l19")).hasSize(MIB);
    }
}
