package io.slipway.testkit;

import io.slipway.security.Role;
import io.slipway.security.SigningKey;
import io.slipway.security.Tokens;
import java.time.Duration;

/** Bearer tokens signed by a key generated once per test JVM, which {@link SlipwayInfraResource} makes services trust. */
public final class TestTokens {
    private static final SigningKey KEY = SigningKey.generate();

    private TestTokens() {
    }

    public static String publicKeyPem() {
        return KEY.publicKeyPem();
    }

    public static String bearer(Role role) {
        return "Bearer " + Tokens.issue(KEY, "test-" + role.name(), role, Duration.ofHours(1));
    }

    /** A token signed by a key no service trusts. */
    public static String forgedBearer(Role role) {
        return "Bearer " + Tokens.issue(SigningKey.generate(), "intruder", role, Duration.ofHours(1));
    }
}
