package io.slipway.security;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;

/**
 * Issues RS256 bearer tokens in the shape MicroProfile JWT verifies (iss, aud, sub, upn, groups, iat, exp, jti), built
 * with smallrye-jwt-build so that every claim is JSON-encoded by a real encoder, whatever the subject holds.
 */
public final class Tokens {
    /** The issuer every Slipway service expects ({@code mp.jwt.verify.issuer}). */
    public static final String ISSUER = "https://slipway.local/issuer";

    /** The audience every Slipway service expects ({@code mp.jwt.verify.audiences}): a token minted for another system is refused. */
    public static final String AUDIENCE = "slipway";

    /**
     * The longest a token may live. Services refuse a token issued longer ago than this ({@code mp.jwt.verify.token.age}
     * in the backbone's defaults), so even a token minted with a longer expiry stops working after it.
     */
    public static final Duration MAX_TTL = Duration.ofDays(30);

    private Tokens() {
    }

    /** A token for {@code subject} with {@code role} (and the weaker roles) that expires after {@code ttl}, at most {@link #MAX_TTL}. */
    public static String issue(SigningKey key, String subject, Role role, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("a token's lifetime must be positive (asked: " + ttl + ")");
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("a token lives at most " + MAX_TTL.toDays() + " days (asked: " + ttl + ")");
        }
        Instant now = Instant.now();
        return sign(key, Jwt.issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .upn(subject)
                .groups(new LinkedHashSet<>(role.groups()))
                .issuedAt(now)
                .expiresAt(now.plus(ttl)));
    }

    /**
     * Signs any claims with RS256 (a jti is added when missing). Only tests call it directly, to make the tokens services
     * must refuse: another audience, issued too long ago.
     */
    public static String sign(SigningKey key, JwtClaimsBuilder claims) {
        return claims.jws().algorithm(SignatureAlgorithm.RS256).sign(key.privateKey());
    }
}
