package io.slipway.backbone.consume;

import io.slipway.backbone.EventHeaders;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.consumer.InvalidJwtException;

/**
 * Who sent a command on a {@code slipway.*.requests} topic. Anyone who can write to Kafka can write a command, and a
 * {@code requestedBy} field says whatever its writer wants, so a command carries the producer's bearer token in its
 * {@link EventHeaders#AUTHORIZATION} header and is verified exactly like a REST call (key, issuer, audience, expiry,
 * age). The caller is the token's name; a command without a valid operator token is dead-lettered, never applied.
 */
@ApplicationScoped
public class CommandCallers {
    /** The role a command needs, as the REST endpoints that do the same. */
    static final String ROLE = "operator";

    private static final String HOW = "produce commands with a header " + EventHeaders.AUTHORIZATION
            + ": Bearer <token of role operator> (./slipway token --role operator)";

    private final JWTParser parser;

    CommandCallers(JWTParser parser) {
        this.parser = parser;
    }

    /** The verified name of the command's producer; throws {@link PermanentEventFailure} (never naming the token) otherwise. */
    public String verify(ConsumerRecord<?, ?> record) {
        String header = EventHeaders.get(record.headers(), EventHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            throw new PermanentEventFailure("unauthenticated: the command has no " + EventHeaders.AUTHORIZATION + " header; " + HOW);
        }
        String value = header.trim();
        if (!value.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            throw new PermanentEventFailure("unauthenticated: the " + EventHeaders.AUTHORIZATION + " header is not 'Bearer <token>'; " + HOW);
        }
        JsonWebToken token;
        try {
            token = parser.parse(value.substring("bearer ".length()).trim());
        } catch (ParseException e) {
            throw new PermanentEventFailure("unauthenticated: " + why(e) + "; " + HOW);
        }
        if (!token.getGroups().contains(ROLE)) {
            throw new PermanentEventFailure("forbidden: " + token.getName() + " does not hold the " + ROLE + " role a command needs");
        }
        return token.getName();
    }

    /** Why a token was refused, in words that quote nothing of it. */
    private static String why(ParseException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidJwtException invalid && invalid.hasExpired()) {
                return "the command's token has expired";
            }
        }
        return "the command's token is not one Slipway issued for it (signature, issuer, audience or age)";
    }
}
