package io.slipway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
    @TempDir
    Path tmp;

    @Test
    void sealedTextOpensOnlyWithItsKeyAndPurpose() throws Exception {
        Path keyFile = tmp.resolve("keys/secrets.key");
        SecretBox box = SecretBox.keyFile(keyFile);
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String sealed = box.seal("passwd: Canary-Sealed-1", "clusterfile");
        assertThat(sealed).startsWith("sealed:v1:").doesNotContain("Canary-Sealed-1");
        assertThat(box.seal("passwd: Canary-Sealed-1", "clusterfile")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(SecretBox.keyFile(keyFile).open(sealed, "clusterfile")).isEqualTo("passwd: Canary-Sealed-1");
        assertThat(box.open("plain text from before sealing", "clusterfile")).isEqualTo("plain text from before sealing");
        assertThatThrownBy(() -> box.open(sealed, "registry-auth")).hasMessageContaining("does not open");
        assertThatThrownBy(() -> SecretBox.keyFile(tmp.resolve("other.key")).open(sealed, "clusterfile")).hasMessageContaining("does not open");

        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SecretBox.keyFile(keyFile)).hasMessageContaining("chmod 600");
    }

    @Test
    void aDigestIsStableUnderOneKeyAndPurposeAndUnknownWithoutTheKey() throws Exception {
        SecretBox box = SecretBox.keyFile(tmp.resolve("secrets.key"));
        String digest = box.digest("access_token=Canary-Digest-1", "routes");
        assertThat(digest).hasSize(64).matches("[0-9a-f]+").isEqualTo(SecretBox.keyFile(tmp.resolve("secrets.key"))
                .digest("access_token=Canary-Digest-1", "routes"));
        assertThat(box.digest("access_token=Canary-Digest-2", "routes")).isNotEqualTo(digest);
        assertThat(box.digest("access_token=Canary-Digest-1", "clusterfile")).isNotEqualTo(digest);
        assertThat(SecretBox.keyFile(tmp.resolve("other.key")).digest("access_token=Canary-Digest-1", "routes")).isNotEqualTo(digest);
        String plainSha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("access_token=Canary-Digest-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(digest).as("not a plain hash anyone could recompute").isNotEqualTo(plainSha256);
    }
}
