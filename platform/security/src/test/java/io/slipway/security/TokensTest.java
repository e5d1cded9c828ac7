package io.slipway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

        JsonNode claims = claims(token);
        assertThat(claims.get("groups")).extracting(JsonNode::asText).containsExactlyInAnyOrder("viewer", "operator");
        assertThat(claims.get("sub").asText()).isEqualTo("ci-bot");
        assertThat(claims.get("iss").asText()).isEqualTo(Tokens.ISSUER);
        assertThat(claims.get("aud").isArray() ? claims.get("aud").get(0).asText() : claims.get("aud").asText()).isEqualTo(Tokens.AUDIENCE);
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(300);
        assertThat(claims.get("jti").asText()).isNotBlank();
    }

    @Test
    void aSubjectCannotAddClaims() throws Exception {
        // string concatenation with a quote-only escaper let a newline, a control character or a crafted subject through
        String subject = "ci\",\"groups\":[\"admin\"],\"x\":\"\u0000\n";
        JsonNode claims = claims(Tokens.issue(SigningKey.generate(), subject, Role.viewer, Duration.ofMinutes(1)));
        assertThat(claims.get("sub").asText()).isEqualTo(subject);
        assertThat(claims.get("groups")).extracting(JsonNode::asText).containsExactly("viewer");
        assertThat(claims.has("x")).isFalse();
    }

    @Test
    void aLifetimeIsPositiveAndAtMostThirtyDays() {
        SigningKey key = SigningKey.generate();
        assertThat(claims(Tokens.issue(key, "ci", Role.viewer, Tokens.MAX_TTL)).get("exp").asLong()).isPositive();
        assertThatThrownBy(() -> Tokens.issue(key, "ci", Role.viewer, Tokens.MAX_TTL.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 30 days");
        assertThatThrownBy(() -> Tokens.issue(key, "ci", Role.viewer, Duration.ZERO)).hasMessageContaining("positive");
    }

    private static JsonNode claims(String token) {
        try {
            return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
