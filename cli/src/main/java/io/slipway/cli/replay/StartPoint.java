package io.slipway.cli.replay;

import io.slipway.cli.UserError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code slipway replay --from} puts a consumer group: the oldest or newest record kept, an offset, a time (the
 * first record written at or after it), or a time given as an age ({@code 2h}, {@code 30m}, {@code 1d}, {@code PT90M}).
 */
public record StartPoint(Kind kind, long offset, Instant time, String text) {
    public enum Kind { EARLIEST, LATEST, OFFSET, TIME }

    private static final Pattern AGE = Pattern.compile("(\\d+)([smhd])");

    public static StartPoint parse(String text, Clock clock) {
        String t = text == null ? "" : text.strip();
        switch (t.toLowerCase(Locale.ROOT)) {
            case "earliest":
                return new StartPoint(Kind.EARLIEST, -1, null, t);
            case "latest":
                return new StartPoint(Kind.LATEST, -1, null, t);
            default:
                break;
        }
        if (t.matches("\\d{1,18}")) {
            return new StartPoint(Kind.OFFSET, Long.parseLong(t), null, t);
        }
        Matcher age = AGE.matcher(t.toLowerCase(Locale.ROOT));
        if (age.matches()) {
            long n = Long.parseLong(age.group(1));
            Duration d = switch (age.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return new StartPoint(Kind.TIME, -1, clock.instant().minus(d), t);
        }
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return new StartPoint(Kind.TIME, -1, clock.instant().minus(Duration.parse(t)), t);
            }
            return new StartPoint(Kind.TIME, -1, Instant.parse(t), t);
        } catch (DateTimeParseException e) {
            throw new UserError("--from '" + text + "' is none of: earliest, latest, an offset (1234), a time (2026-12-07T10:00:00Z)"
                    + " or an age (30m, 2h, 1d, PT90M)");
        }
    }

    @Override
    public String toString() {
        return kind == Kind.TIME ? text + " (" + time + ")" : text;
    }
}
