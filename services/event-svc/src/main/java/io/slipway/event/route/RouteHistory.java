package io.slipway.event.route;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.events.event.RoutesChanged;
import io.slipway.security.SecretBox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The routing document's versions in the service's database ({@code route_version}), written with their
 * {@code RoutesChanged} event through the outbox in one transaction (Hibernate Reactive). The document is sealed with
 * the service's key ({@code slipway.routes.secrets-key-file}; instances sharing the database share it) and its digest
 * is keyed by it, so neither the table nor the event lets anyone read or guess a receiver's secret.
 */
@ApplicationScoped
public class RouteHistory implements RouteVersions {
    /** The aggregate id of every {@code RoutesChanged}: all versions on one partition, in order. */
    public static final String AGGREGATE = "routes";
    static final String PURPOSE = "event.route_version.document";
    /** A transaction-scoped advisory lock: writers of a version, on any instance, one at a time. */
    private static final String LOCK_SQL = "select cast(pg_advisory_xact_lock(hashtext(?)) as text)";
    private static final String LOCK = "slipway-routes";

    private final Outbox outbox;
    private final SecretBox box;

    RouteHistory(Outbox outbox, RoutesConfig config, BackboneConfig backbone) {
        this.outbox = outbox;
        this.box = SecretBox.keyFile(RouteService.Locations.of(config, backbone.dataDir()).secretsKey());
    }

    @Override
    public Optional<StoredRoutes> newest() {
        return BlockingCalls.await(() -> Panache.withSession(() -> Panache.getSession().chain(RouteHistory::newestRow)))
                .map(this::opened);
    }

    /** Every version's number, who wrote it and when, oldest first: for tests and operators, never the documents. */
    public List<StoredRoutes> list() {
        return BlockingCalls.await(() -> Panache.withSession(() -> Panache.getSession().chain(s -> s
                .createQuery("from RouteVersion order by version", RouteVersion.class).getResultList())))
                .stream().map(v -> new StoredRoutes(v.version, null, v.digest, v.changedBy, v.changedAt)).toList();
    }

    @Override
    public Optional<StoredRoutes> append(String text, List<String> receivers, String changedBy, EventContext context) {
        String digest = box.digest(text, PURPOSE);
        return BlockingCalls.await(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s
                .createNativeQuery(LOCK_SQL, String.class).setParameter(1, LOCK).getSingleResult()
                .chain(() -> newestRow(s))
                .chain(newest -> lastImport(s, changedBy).chain(lastImport -> {
                    if (RouteVersions.changesNothing(digest, newest.map(v -> v.digest), lastImport.map(v -> v.digest))) {
                        return Uni.createFrom().item(Optional.<StoredRoutes>empty());
                    }
                    RouteVersion row = new RouteVersion();
                    row.version = newest.map(v -> v.version + 1).orElse(1L);
                    row.document = box.seal(text, PURPOSE);
                    row.digest = digest;
                    row.changedBy = changedBy;
                    row.changedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                    RoutesChanged event = RoutesChanged.newBuilder().setVersion(row.version).setDigest(digest).setChangedBy(changedBy)
                            .setChangedAt(row.changedAt).setReceivers(List.copyOf(receivers)).build();
                    return s.persist(row).chain(() -> outbox.append(AGGREGATE, event, context))
                            .replaceWith(Optional.of(new StoredRoutes(row.version, text, digest, changedBy, row.changedAt)));
                })))));
    }

    private static Uni<Optional<RouteVersion>> newestRow(Mutiny.Session s) {
        return s.createQuery("from RouteVersion order by version desc", RouteVersion.class).setMaxResults(1).getResultList()
                .map(rows -> rows.stream().findFirst());
    }

    /** For an import, the last version imported from the same file; nothing for a write by an operator. */
    private static Uni<Optional<RouteVersion>> lastImport(Mutiny.Session s, String changedBy) {
        if (!StoredRoutes.isImport(changedBy)) {
            return Uni.createFrom().item(Optional.empty());
        }
        return s.createQuery("from RouteVersion where changedBy = :by order by version desc", RouteVersion.class)
                .setParameter("by", changedBy).setMaxResults(1).getResultList().map(rows -> rows.stream().findFirst());
    }

    private StoredRoutes opened(RouteVersion row) {
        return new StoredRoutes(row.version, box.open(row.document, PURPOSE), row.digest, row.changedBy, row.changedAt);
    }
}
