package io.slipway.cli.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The context `slipway build` uploads keeps each file's permissions: a binary the image runs stays executable. */
class ContextArchiveTest {

    @Test
    void filesAndDirectoriesKeepTheirPermissions(@TempDir Path dir) throws Exception {
        Path ctx = Files.createDirectories(dir.resolve("ctx/bin"));
        Files.setPosixFilePermissions(Files.writeString(dir.resolve("ctx/Kubefile"), "FROM scratch\nCOPY bin bin\n"),
                PosixFilePermissions.fromString("rw-r-----"));
        Path tool = Files.writeString(ctx.resolve("tool"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setPosixFilePermissions(ctx, PosixFilePermissions.fromString("rwxr-x--x"));
        Path tar = dir.resolve("ctx.tar");
        ContextArchive.write(dir.resolve("ctx"), dir.resolve("ctx/Kubefile"), tar);

        Map<String, Integer> modes = new HashMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                modes.put(e.getName(), e.getMode());
            }
        }
        assertThat(modes.get("bin/tool") & 07777).isEqualTo(0750);
        assertThat(modes.get("bin/tool") & 0170000).as("a regular file").isEqualTo(0100000);
        assertThat(modes.get("Kubefile") & 07777).isEqualTo(0640);
        assertThat(modes.get("bin/") & 07777).isEqualTo(0751);
        assertThat(modes.get("bin/") & 0170000).as("a directory").isEqualTo(040000);
    }
}
