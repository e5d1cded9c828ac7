package io.slipway.cli.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.cli.Slipway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway keys init}: a key pair made once, the private half 0600 and never printed. */
class KeysCommandTest {

    @Test
    void initMakesThePairOnceAndPrintsOnlyThePublicKeysPath(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("keys");
        String first = run("keys", "init", "--dir", dir.toString());
        Path priv = dir.resolve("jwt-private.pem");
        Path pub = dir.resolve("jwt-public.pem");
        assertThat(first.strip()).isEqualTo(pub.toAbsolutePath().toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        String privateKey = Files.readString(priv);
        String publicKey = Files.readString(pub);

        String second = run("keys", "init", "--dir", dir.toString());
        assertThat(second).isEqualTo(first).doesNotContain("PRIVATE");
        assertThat(Files.readString(priv)).isEqualTo(privateKey);
        assertThat(Files.readString(pub)).isEqualTo(publicKey);
    }

    private static String run(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Slipway.commandLine().execute(args)).isZero();
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
