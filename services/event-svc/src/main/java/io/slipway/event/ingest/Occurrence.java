package io.slipway.event.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * One occurrence of an Event, read through either API and reduced to the same values: an Event written as core/v1
 * and read as events.k8s.io/v1 (or the other way round) yields the same uid, count and times, so it is recognised as
 * the same occurrence whichever API delivered it. The occurrence count is {@code series.count} when the Event has a
 * series, else {@code count} ({@code deprecatedCount}), at least 1.
 */
record Occurrence(EventApi api, String uid, String namespace, String type, String reason, String message, int count,
                  Involved involved, Instant firstSeen, Instant lastSeen, String source, String sourceHost,
                  String resourceVersion) {

    /** The object an Event is about ({@code involvedObject} in core/v1, {@code regarding} in events.k8s.io/v1). */
    record Involved(String apiVersion, String kind, String namespace, String name, String uid) {
    }

    /** The occurrence an Event read through {@code api} stands for. */
    static Occurrence of(EventJson.Fields e, EventApi api) {
        return api == EventApi.CORE ? fromCore(e) : fromEventsApi(e);
    }

    private static Occurrence fromCore(EventJson.Fields e) {
        Instant created = time(e.creationTimestamp);
        Instant first = first(time(e.firstTimestamp), time(e.eventTime), created);
        Instant last = first(time(e.seriesLastObservedTime), time(e.lastTimestamp), time(e.eventTime), first);
        return new Occurrence(EventApi.CORE, e.uid, e.namespace, e.type, e.reason, e.message, count(e.seriesCount, e.count),
                e.involvedObject, first, last, firstNonBlank(e.sourceComponent, e.reportingComponent),
                firstNonBlank(e.sourceHost, e.reportingInstance), e.resourceVersion);
    }

    private static Occurrence fromEventsApi(EventJson.Fields e) {
        Instant created = time(e.creationTimestamp);
        Instant first = first(time(e.deprecatedFirstTimestamp), time(e.eventTime), created);
        Instant last = first(time(e.seriesLastObservedTime), time(e.deprecatedLastTimestamp), time(e.eventTime), first);
        return new Occurrence(EventApi.EVENTS, e.uid, e.namespace, e.type, e.reason, e.note, count(e.seriesCount, e.deprecatedCount),
                e.regarding, first, last, firstNonBlank(e.reportingController, e.deprecatedSourceComponent),
                firstNonBlank(e.reportingInstance, e.deprecatedSourceHost), e.resourceVersion);
    }

    /**
     * The occurrence's id, the envelope's {@code eventId}: the same for the same event uid and count in the same
     * cluster, so a consumer recognises a republished occurrence and the ingest recognises one it handled.
     */
    UUID eventId(String cluster) {
        // UUID.nameUUIDFromBytes of "cluster/uid/count", without looking the digest up and building the name each time
        MessageDigest md5 = MD5.get();
        md5.update(cluster.getBytes(StandardCharsets.UTF_8));
        md5.update((byte) '/');
        md5.update(String.valueOf(uid).getBytes(StandardCharsets.UTF_8));
        md5.update((byte) '/');
        md5.update(Integer.toString(count).getBytes(StandardCharsets.US_ASCII));
        byte[] hash = md5.digest();
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x30); // version 3, name-based with MD5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (hash[i] & 0xff);
            lsb = (lsb << 8) | (hash[8 + i] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5, which name-based UUIDs need", e);
        }
    });

    /**
     * The Kafka key: the involved object's uid (from the event, else from the object itself), or kind/namespace/name
     * when neither knows it, so that all events of one object stay in order on one partition.
     */
    String key(InvolvedObjects.Metadata metadata) {
        String uid = involved == null ? null : involved.uid();
        if (uid != null && !uid.isEmpty()) {
            return uid;
        }
        if (metadata.uid() != null) {
            return metadata.uid();
        }
        return involved == null ? "unknown/" + this.uid
                : involved.kind() + "/" + (involved.namespace() == null ? "" : involved.namespace()) + "/" + involved.name();
    }

    private static int count(Integer seriesCount, Integer count) {
        if (seriesCount != null && seriesCount > 0) {
            return seriesCount;
        }
        return count != null && count > 0 ? count : 1;
    }

    /**
     * Kubernetes writes RFC 3339 times, seconds (Time) or microseconds (MicroTime), in UTC. That form is read directly
     * (java.time's general parser cost a tenth of the publisher's time); anything else goes to java.time.
     */
    static Instant time(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Instant utc = utc(text);
        if (utc != null) {
            return utc;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    /** Nanoseconds of one unit of the last of {@code i} fraction digits. */
    private static final long[] NANOS_PER_DIGIT = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, or null for any other form. */
    private static Instant utc(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        long nanos = 0;
        if (n > 20) {
            if (t.charAt(19) != '.' || n - 21 > 9 || n - 21 < 1) {
                return null;
            }
            int fraction = digits(t, 20, n - 21);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction * NANOS_PER_DIGIT[n - 21];
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 60) {
            return null;
        }
        try {
            long days = java.time.LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The decimal number in {@code t[from, from + count)}, or -1 if a character is not a digit. */
    private static int digits(String t, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static Instant first(Instant... candidates) {
        for (Instant c : candidates) {
            if (c != null) {
                return c;
            }
        }
        return Instant.EPOCH;
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }
}
