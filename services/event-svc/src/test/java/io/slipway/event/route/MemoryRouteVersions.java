package io.slipway.event.route;

import io.slipway.backbone.EventContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Versions kept in memory, by {@link RouteVersions}' rule, for the tests of {@link RouteStore}'s own logic (masking,
 * refusals, the file); {@code RouteVersionsTest} runs the real {@link RouteHistory} against PostgreSQL and Kafka.
 */
final class MemoryRouteVersions implements RouteVersions {
    /** What each append would have published: version and receivers. */
    record Announced(long version, List<String> receivers, String changedBy) {
    }

    private final List<StoredRoutes> versions = new ArrayList<>();
    final List<Announced> announced = new ArrayList<>();

    @Override
    public synchronized Optional<StoredRoutes> newest() {
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.getLast());
    }

    @Override
    public synchronized Optional<StoredRoutes> append(String text, List<String> receivers, String changedBy, EventContext context) {
        String digest = sha256(text);
        Optional<String> lastFromFile = versions.reversed().stream().filter(v -> v.changedBy().equals(changedBy) && StoredRoutes.isImport(changedBy))
                .map(StoredRoutes::digest).findFirst();
        if (RouteVersions.changesNothing(digest, newest().map(StoredRoutes::digest), lastFromFile)) {
            return Optional.empty();
        }
        StoredRoutes v = new StoredRoutes(versions.size() + 1, text, digest, changedBy, Instant.now());
        versions.add(v);
        announced.add(new Announced(v.version(), List.copyOf(receivers), changedBy));
        return Optional.of(v);
    }

    synchronized List<StoredRoutes> all() {
        return List.copyOf(versions);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
