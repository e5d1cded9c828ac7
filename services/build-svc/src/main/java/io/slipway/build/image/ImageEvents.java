package io.slipway.build.image;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.backbone.work.WorkerIdentity;
import io.slipway.events.build.ImageAction;
import io.slipway.events.build.ImageChanged;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Records image store changes made outside a build (tag, rmi, pull, load, and pushes) as {@code ImageChanged} events,
 * keyed by image name. The store is files, which no transaction covers, so a store change is made between an intent and
 * its event ({@link #record}): a crash between the files and the event leaves the intent, and {@link #settle} publishes
 * the event if, and only if, the store shows the change. A push changes a remote registry, not the store: its event
 * follows it, and a crash in between leaves the push without one (DESIGN.md, "Image store changes").
 */
@ApplicationScoped
public class ImageEvents {
    private final Outbox outbox;
    private final String worker = WorkerIdentity.current();
    /** The intents of this process whose change is being made now: never settled from outside. */
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();

    ImageEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * A store change as its event will tell it: {@code digest} is where {@code image} points after it (null if not known
     * before), {@code remote} the registry reference of a pull (else null).
     */
    public record Change(ImageAction action, String image, String digest, String remote, String actor, EventContext context) {
    }

    /** Makes a store change; answers the digest {@code image} points at after it (for a removal, the one it pointed at). */
    @FunctionalInterface
    public interface StoreChange {
        String make() throws IOException;
    }

    /**
     * Makes {@code make} between its intent and its event, on a worker thread. {@code replacedDigest} is, for a pull, where
     * the name pointed before (null otherwise). A change that throws leaves neither intent nor event; when the event
     * cannot be written (the database went away), the intent stays for {@link #settle}, and the error is thrown.
     */
    public String record(Change change, String replacedDigest, StoreChange make) throws IOException {
        UUID intent = BlockingCalls.await(() -> intend(change, replacedDigest));
        inFlight.add(intent);
        try {
            String digest;
            try {
                digest = make.make();
            } catch (IOException | RuntimeException e) {
                try {
                    BlockingCalls.await(() -> drop(intent));
                } catch (RuntimeException dropFailed) {
                    e.addSuppressed(dropFailed); // settle drops it: the store does not show the change
                }
                throw e;
            }
            BlockingCalls.await(() -> changed(intent, digest));
            return digest;
        } finally {
            inFlight.remove(intent);
        }
    }

    /** A push's event, after the push (see the class comment). */
    @WithTransaction
    public Uni<Void> pushed(String image, String digest, String remote, String actor, EventContext context) {
        return outbox.append(image, event(ImageAction.PUSHED, image, digest, remote, actor), context).replaceWithVoid();
    }

    private static final String INSERT = """
            insert into image_change_intent (id, action, image, digest, remote, replaced_digest, actor, correlation_id, traceparent,
                                             worker, created_at)
            values (cast(?1 as uuid), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, now())""";
    /** One intent as a JSON object (its columns by name): one text column, whatever the driver makes of the others. */
    private static final String ROWS = "select cast(row_to_json(i) as text) from image_change_intent i";

    /** An intent as its row holds it. */
    record Intent(String id, ImageAction action, String image, String digest, String remote, String replacedDigest, String actor,
                  String correlationId, String traceparent, String worker) {
        static Intent of(String json) {
            try {
                var row = JSON.readTree(json);
                return new Intent(row.path("id").asText(), ImageAction.valueOf(row.path("action").asText()), row.path("image").asText(),
                        text(row, "digest"), text(row, "remote"), text(row, "replaced_digest"), row.path("actor").asText(),
                        text(row, "correlation_id"), text(row, "traceparent"), row.path("worker").asText());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static String text(com.fasterxml.jackson.databind.JsonNode row, String column) {
            return row.path(column).isNull() || row.path(column).isMissingNode() ? null : row.path(column).asText();
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    // Native statements, not entity operations: each is one statement of the transaction, with nothing left for a flush.
    @WithTransaction
    Uni<UUID> intend(Change change, String replacedDigest) {
        UUID id = UUID.randomUUID();
        return Panache.getSession().chain(s -> s.createNativeQuery(INSERT).setParameter(1, id.toString()).setParameter(2, change.action().name())
                .setParameter(3, change.image()).setParameter(4, change.digest()).setParameter(5, change.remote()).setParameter(6, replacedDigest)
                .setParameter(7, change.actor()).setParameter(8, change.context().correlationId()).setParameter(9, change.context().traceparent())
                .setParameter(10, worker).executeUpdate()).replaceWith(id);
    }

    /** The change was made: its event, and the intent gone, in one transaction; nothing if it was settled already. */
    @WithTransaction
    Uni<Void> changed(UUID id, String digest) {
        return Panache.getSession().chain(s -> s.createNativeQuery(ROWS + " where id = cast(?1 as uuid) for update", String.class)
                .setParameter(1, id.toString()).getResultList()
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    Intent i = Intent.of(rows.getFirst());
                    return s.createNativeQuery("delete from image_change_intent where id = cast(?1 as uuid)").setParameter(1, id.toString())
                            .executeUpdate()
                            .chain(() -> outbox.append(i.image(), event(i.action(), i.image(), digest, i.remote(), i.actor()),
                                    new EventContext(i.correlationId(), null, i.traceparent())))
                            .replaceWithVoid();
                }));
    }

    @WithTransaction
    Uni<Void> drop(UUID id) {
        return Panache.getSession().chain(s -> s.createNativeQuery("delete from image_change_intent where id = cast(?1 as uuid)")
                .setParameter(1, id.toString()).executeUpdate()).replaceWithVoid();
    }

    /** The intents no live change of this process is making: of a process that has exited, or this one's own whose event failed. */
    @WithTransaction
    Uni<List<Intent>> leftOver(Predicate<String> exited) {
        return Panache.getSession().chain(s -> s.createNativeQuery(ROWS + " order by created_at", String.class).getResultList())
                .map(rows -> rows.stream().map(Intent::of)
                        .filter(i -> i.worker().equals(worker) ? !inFlight.contains(UUID.fromString(i.id())) : exited.test(i.worker())).toList());
    }

    /**
     * Settles the intents left over ({@link #leftOver}): {@code current} answers where a name points in the store now
     * (null when it is not there). An intent whose change the store shows gets its event; the others are dropped, since
     * their change was never made. Answers how many got their event.
     */
    public int settle(Predicate<String> exited, StoreLookup current) throws IOException {
        int published = 0;
        for (Intent i : BlockingCalls.await(() -> leftOver(exited))) {
            String now = current.digestOf(i.image());
            boolean made = switch (i.action()) {
                case REMOVED -> now == null;
                case PULLED -> now != null && !now.equals(i.replacedDigest());
                default -> now != null && now.equals(i.digest());
            };
            UUID id = UUID.fromString(i.id());
            if (made) {
                String digest = i.action() == ImageAction.REMOVED ? i.digest() : now;
                BlockingCalls.await(() -> changed(id, digest));
                published++;
            } else {
                BlockingCalls.await(() -> drop(id));
            }
        }
        return published;
    }

    /** Where a name points in the store now: its digest, or null. */
    @FunctionalInterface
    public interface StoreLookup {
        String digestOf(String image) throws IOException;
    }

    private static ImageChanged event(ImageAction action, String image, String digest, String remote, String actor) {
        return ImageChanged.newBuilder().setAction(action).setImage(image).setDigest(digest).setRemote(remote)
                .setActor(actor).setAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
    }
}
