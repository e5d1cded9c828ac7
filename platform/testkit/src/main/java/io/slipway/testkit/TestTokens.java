package io.slipway.testkit;

import io.slipway.security.Role;
import io.slipway.security.SigningKey;
import io.slipway.security.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.smallrye.jwt.build.Jwt;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Properties;

/** Bearer tokens signed by a key generated once per test JVM, which {@link SlipwayInfraResource} makes services trust. */
public final class TestTokens {
    private static final SigningKey KEY = jvmWideKey();

    private TestTokens() {
    }

    /**
     * One key for the whole test JVM, kept in a temp directory named by a system property: Quarkus loads this class
     * once per class loader, and the service and the test must agree on the key.
     */
    private static SigningKey jvmWideKey() {
        Properties jvm = System.getProperties();
        synchronized (jvm) {
            String dir = jvm.getProperty("slipwaytestkit.keys");
            if (dir == null) {
                try {
                    Path keys = Files.createTempDirectory("slipway-test-keys");
                    keys.toFile().deleteOnExit();
                    dir = keys.toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                jvm.setProperty("slipwaytestkit.keys", dir);
            }
            SigningKey key = SigningKey.loadOrCreate(Path.of(dir));
            Path.of(dir, SigningKey.PRIVATE_FILE).toFile().deleteOnExit();
            Path.of(dir, SigningKey.PUBLIC_FILE).toFile().deleteOnExit();
            return key;
        }
    }

    public static String publicKeyPem() {
        return KEY.publicKeyPem();
    }

    public static String bearer(Role role) {
        return "Bearer " + Tokens.issue(KEY, "test-" + role.name(), role, Duration.ofHours(1));
    }

    /** A token signed by the trusted key but minted for another system (its audience is not Slipway's). */
    public static String foreignAudienceBearer(Role role) {
        Instant now = Instant.now();
        return signedBearer("test-foreign", role, "another-system", now, now.plus(Duration.ofHours(1)));
    }

    /**
     * A token signed by the trusted key, still unexpired, but issued longer ago than the {@link Tokens#MAX_TTL} a token may
     * live: what someone holding the key minted with a far expiry.
     */
    public static String staleBearer(Role role) {
        Instant now = Instant.now();
        return signedBearer("test-stale", role, Tokens.AUDIENCE, now.minus(Tokens.MAX_TTL).minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(365)));
    }

    /** A bearer token signed by the trusted key with claims {@link Tokens#issue} would not make. */
    private static String signedBearer(String subject, Role role, String audience, Instant issuedAt, Instant expiresAt) {
        return "Bearer " + Tokens.sign(KEY, Jwt.issuer(Tokens.ISSUER).audience(audience).subject(subject).upn(subject)
                .groups(new LinkedHashSet<>(role.groups())).issuedAt(issuedAt).expiresAt(expiresAt));
    }

    /** A token signed by a key no service trusts. */
    public static String forgedBearer(Role role) {
        return "Bearer " + Tokens.issue(SigningKey.generate(), "intruder", role, Duration.ofHours(1));
    }
}
