package io.slipway.workload.cronhpa;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a CronHPA job fires, in the schedule language of kubernetes-cronhpa-controller (robfig/cron with seconds): six
 * fields {@code second minute hour day-of-month month day-of-week} (day of week 0-6 or SUN-SAT, 7 also Sunday;
 * {@code ?} for either day field), the descriptors {@code @yearly @annually @monthly @weekly @daily @midnight @hourly},
 * {@code @every <Go duration>} (from the time the job was submitted) and {@code @date yyyy-MM-dd HH:mm:ss} (once).
 * Fields are parsed and evaluated by cron-utils.
 *
 * <p>Times are wall-clock times in the object's zone, which makes daylight saving time explicit: a wall time that does
 * not exist that day (spring forward) fires at the end of the gap, as Vixie cron does; a wall time that occurs twice
 * (fall back) fires once, at its first occurrence. cron-utils alone evaluates in zoned time and does neither (it skips
 * the gap and can find the second occurrence looking back), so it is asked about wall times only, in UTC, where no
 * clock jumps.
 */
public sealed interface Schedule {
    /** The first fire strictly after {@code after}, or empty. */
    Optional<Instant> next(Instant after);

    /** The last fire at or before {@code atOrBefore}, or empty. */
    Optional<Instant> latest(Instant atOrBefore);

    /** The wall-clock date-time of a fire in the schedule's zone (excludeDates match its date). */
    LocalDateTime wall(Instant fire);

    CronDefinition SIX_FIELDS = CronDefinitionBuilder.defineCron()
            .withSeconds().and().withMinutes().and().withHours().and()
            .withDayOfMonth().supportsQuestionMark().and()
            .withMonth().and()
            .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).supportsQuestionMark().and()
            .instance();

    Map<String, String> DESCRIPTORS = Map.of("@yearly", "0 0 0 1 1 *", "@annually", "0 0 0 1 1 *", "@monthly", "0 0 0 1 * *",
            "@weekly", "0 0 0 * * 0", "@daily", "0 0 0 * * *", "@midnight", "0 0 0 * * *", "@hourly", "0 0 * * * *");

    /**
     * Parses {@code text} for {@code zone}; {@code submitted} anchors {@code @every}. Throws IllegalArgumentException
     * with what is wrong, in the user's terms.
     */
    static Schedule parse(String text, ZoneId zone, Instant submitted) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        String s = text.trim();
        if (s.startsWith("@every")) {
            Duration every = GoDuration.parse(s.substring("@every".length()).trim());
            if (every.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("\"" + s + "\": @every needs at least 1s");
            }
            return new Every(every.truncatedTo(ChronoUnit.SECONDS), submitted.truncatedTo(ChronoUnit.SECONDS), zone);
        }
        if (s.startsWith("@date")) {
            String date = s.substring("@date".length()).trim();
            try {
                return new Once(LocalDateTime.parse(date, DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")), zone);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("\"" + s + "\": @date needs yyyy-MM-dd HH:mm:ss, got \"" + date + "\"");
            }
        }
        String fields = s.startsWith("@") ? DESCRIPTORS.get(s) : s;
        if (fields == null) {
            throw new IllegalArgumentException("\"" + s + "\": unknown descriptor (known: @yearly, @annually, @monthly, @weekly, "
                    + "@daily, @midnight, @hourly, @every <duration>, @date <yyyy-MM-dd HH:mm:ss>)");
        }
        if (fields.split("\\s+").length != 6) {
            throw new IllegalArgumentException("\"" + s + "\": expected 6 fields (second minute hour day-of-month month day-of-week), got "
                    + fields.split("\\s+").length);
        }
        try {
            return new Cron(ExecutionTime.forCron(new CronParser(SIX_FIELDS).parse(fields)), zone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + s + "\": " + e.getMessage().replace("Failed to parse cron expression. ", ""));
        }
    }

    /** The instant a wall time names in {@code zone}: the end of a gap for a time that does not exist, the first of two. */
    static Instant instant(LocalDateTime wall, ZoneId zone) {
        var rules = zone.getRules();
        var transition = rules.getTransition(wall);
        if (transition != null && transition.isGap()) {
            return transition.getInstant();
        }
        return ZonedDateTime.ofLocal(wall, zone, null).toInstant(); // at an overlap, the earlier offset
    }

    /** A six-field expression: wall times from cron-utils, in UTC where no clock jumps, turned into instants. */
    record Cron(ExecutionTime times, ZoneId zone) implements Schedule {
        private static final int LOOK = 64;

        @Override
        public Optional<Instant> next(Instant after) {
            LocalDateTime w = wall(after).truncatedTo(ChronoUnit.SECONDS);
            for (int i = 0; i < LOOK; i++) {
                Optional<ZonedDateTime> n = times.nextExecution(w.atZone(ZoneOffset.UTC));
                if (n.isEmpty()) {
                    return Optional.empty();
                }
                w = n.get().toLocalDateTime();
                Instant fire = Schedule.instant(w, zone);
                if (fire.isAfter(after)) {
                    return Optional.of(fire);
                }
            }
            return Optional.empty();
        }

        @Override
        public Optional<Instant> latest(Instant atOrBefore) {
            LocalDateTime w = wall(atOrBefore).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
            for (int i = 0; i < LOOK; i++) {
                Optional<ZonedDateTime> p = times.lastExecution(w.atZone(ZoneOffset.UTC));
                if (p.isEmpty()) {
                    return Optional.empty();
                }
                w = p.get().toLocalDateTime();
                Instant fire = Schedule.instant(w, zone);
                if (!fire.isAfter(atOrBefore)) {
                    return Optional.of(fire);
                }
            }
            return Optional.empty();
        }

        @Override
        public LocalDateTime wall(Instant fire) {
            return LocalDateTime.ofInstant(fire, zone);
        }
    }

    /** {@code @every}: {@code start + k * every} for k ≥ 1, as robfig/cron counts from when the job was added. */
    record Every(Duration every, Instant start, ZoneId zone) implements Schedule {
        @Override
        public Optional<Instant> next(Instant after) {
            long k = after.isBefore(start) ? 0 : Duration.between(start, after).toMillis() / every.toMillis();
            return Optional.of(start.plus(every.multipliedBy(k + 1)));
        }

        @Override
        public Optional<Instant> latest(Instant atOrBefore) {
            long k = atOrBefore.isBefore(start) ? 0 : Duration.between(start, atOrBefore).toMillis() / every.toMillis();
            return k == 0 ? Optional.empty() : Optional.of(start.plus(every.multipliedBy(k)));
        }

        @Override
        public LocalDateTime wall(Instant fire) {
            return LocalDateTime.ofInstant(fire, zone);
        }
    }

    /** {@code @date}: one wall time. */
    record Once(LocalDateTime at, ZoneId zone) implements Schedule {
        @Override
        public Optional<Instant> next(Instant after) {
            Instant fire = Schedule.instant(at, zone);
            return fire.isAfter(after) ? Optional.of(fire) : Optional.empty();
        }

        @Override
        public Optional<Instant> latest(Instant atOrBefore) {
            Instant fire = Schedule.instant(at, zone);
            return fire.isAfter(atOrBefore) ? Optional.empty() : Optional.of(fire);
        }

        @Override
        public LocalDateTime wall(Instant fire) {
            return LocalDateTime.ofInstant(fire, zone);
        }
    }

    /** Go's time.ParseDuration for what a schedule needs: a sequence of decimal numbers with units ns us µs ms s m h. */
    final class GoDuration {
        private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
        private static final Map<String, BigDecimal> NANOS = Map.of("ns", BigDecimal.ONE, "us", BigDecimal.valueOf(1_000),
                "µs", BigDecimal.valueOf(1_000), "μs", BigDecimal.valueOf(1_000), "ms", BigDecimal.valueOf(1_000_000),
                "s", BigDecimal.valueOf(1_000_000_000L), "m", BigDecimal.valueOf(60_000_000_000L), "h", BigDecimal.valueOf(3_600_000_000_000L));

        private GoDuration() {
        }

        static Duration parse(String text) {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("@every needs a duration such as 1h30m or 90s");
            }
            Matcher m = PART.matcher(text);
            BigDecimal nanos = BigDecimal.ZERO;
            int at = 0;
            while (at < text.length()) {
                if (!m.find(at) || m.start() != at) {
                    throw new IllegalArgumentException("\"@every " + text + "\": not a duration (use units h, m, s, ms, e.g. 1h30m10s)");
                }
                nanos = nanos.add(new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1)).multiply(NANOS.get(m.group(2))));
                at = m.end();
            }
            return Duration.ofNanos(nanos.longValue());
        }
    }
}
