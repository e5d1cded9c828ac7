package io.slipway.cli.token;

import io.slipway.cli.StackOptions;
import io.slipway.security.Role;
import io.slipway.security.SigningKey;
import io.slipway.security.Tokens;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code slipway token}: prints a bearer token signed with the stack's key ({@code <data dir>/keys}). */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Print a bearer token signed by the stack's key.")
public final class TokenCommand implements Callable<Integer> {

    @Mixin
    StackOptions stackOptions;

    @Option(names = "--role", defaultValue = "operator", description = "viewer, operator or admin (default: ${DEFAULT-VALUE}).")
    Role role;

    @Option(names = "--ttl", defaultValue = "12h", converter = TtlConverter.class,
            description = "Lifetime: 90s, 30m, 12h, 7d or ISO-8601 such as PT12H, at most 30d (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(names = "--subject", description = "The token's subject (default: slipway-<role>).")
    String subject;

    @Override
    public Integer call() {
        SigningKey key = SigningKey.loadOrCreate(stackOptions.layout().keys());
        System.out.println(Tokens.issue(key, subject != null ? subject : "slipway-" + role.name(), role, ttl));
        return 0;
    }

    /** {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d} or an ISO-8601 duration, at most {@link Tokens#MAX_TTL}. */
    public static final class TtlConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration ttl = parse(value);
            if (ttl.compareTo(Tokens.MAX_TTL) > 0) {
                // services refuse a token issued longer ago than this, whatever its expiry says
                throw new TypeConversionException("'" + value + "' is longer than a token may live: at most "
                        + Tokens.MAX_TTL.toDays() + "d");
            }
            return ttl;
        }

        private static Duration parse(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.startsWith("p")) {
                    return positive(Duration.parse(value.trim()), value);
                }
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return positive(switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> throw new IllegalArgumentException();
                }, value);
            } catch (RuntimeException e) {
                throw new TypeConversionException("'" + value + "' is not a lifetime; use 90s, 30m, 12h, 7d or PT12H");
            }
        }

        private static Duration positive(Duration d, String value) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("'" + value + "' is not a positive lifetime");
            }
            return d;
        }
    }
}
