package io.slipway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

    @Test
    void tokenVerifiesWithThePersistedPublicKeyAndCarriesWeakerRoles(@TempDir Path dir) throws Exception {
        SigningKey created = SigningKey.loadOrCreate(dir);
        SigningKey reloaded = SigningKey.loadOrCreate(dir);
        assertThat(reloaded.publicKeyPem()).isEqualTo(created.publicKeyPem());

        String token = Tokens.issue(reloaded, "ci-bot", Role.operator, Duration.ofMinutes(5));
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);

        byte[] der = Base64.getMimeDecoder().decode(created.publicKeyPem().replaceAll("-----[A-Z ]+-----", ""));
        Signature verify = Signature.getInstance("SHA256withRSA");
        verify.initVerify(KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der)));
        verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verify.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();

        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(claims).contains("\"groups\":[\"viewer\",\"operator\"]").contains("\"sub\":\"ci-bot\"")
                .contains("\"iss\":\"" + Tokens.ISSUER + "\"");
    }

    @Test
    void theSigningKeyIsTheOwnersOnlyAndHalfAPairIsMadeAgain(@TempDir Path dir) throws Exception {
        SigningKey.loadOrCreate(dir);
        Path priv = dir.resolve(SigningKey.PRIVATE_FILE);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        // a crash left the private key without its public half: a new pair is made, not a start-up failure
        java.nio.file.Files.delete(dir.resolve(SigningKey.PUBLIC_FILE));
        SigningKey again = SigningKey.loadOrCreate(dir);
        assertThat(SigningKey.loadOrCreate(dir).publicKeyPem()).isEqualTo(again.publicKeyPem());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
    }

    @Test
    void viewerTokenDoesNotCarryOperator() {
        assertThat(Role.viewer.groups()).containsExactly("viewer");
        assertThat(Role.admin.groups()).containsExactly("viewer", "operator", "admin");
    }
}
