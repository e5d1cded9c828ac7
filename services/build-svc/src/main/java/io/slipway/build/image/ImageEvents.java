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

    @WithTransaction
    Uni<UUID> intend(Change change, String replacedDigest) {
        ImageChangeIntent i = new ImageChangeIntent();
        i.id = UUID.randomUUID();
        i.action = change.action();
        i.image = change.image();
        i.digest = change.digest();
        i.remote = change.remote();
        i.replacedDigest = replacedDigest;
        i.actor = change.actor();
        i.correlationId = change.context().correlationId();
        i.traceparent = change.context().traceparent();
        i.worker = worker;
        i.createdAt = Instant.now();
        return Panache.getSession().chain(s -> s.persist(i)).replaceWith(i.id);
    }

    /** The change was made: its event, and the intent gone, in one transaction; nothing if it was settled already. */
    @WithTransaction
    Uni<Void> changed(UUID id, String digest) {
        return Panache.getSession().chain(s -> s.find(ImageChangeIntent.class, id).chain(i -> i == null ? Uni.createFrom().voidItem()
                : outbox.append(i.image, event(i.action, i.image, digest, i.remote, i.actor), new EventContext(i.correlationId, null, i.traceparent))
                        .chain(() -> s.remove(i))));
    }

    @WithTransaction
    Uni<Void> drop(UUID id) {
        return Panache.getSession().chain(s -> s.find(ImageChangeIntent.class, id).chain(i -> i == null ? Uni.createFrom().voidItem() : s.remove(i)));
    }

    /** The intents no live change of this process is making: of a process that has exited, or this one's own whose event failed. */
    @WithTransaction
    Uni<List<ImageChangeIntent>> leftOver(Predicate<String> exited) {
        return Panache.getSession().chain(s -> s.createQuery("from ImageChangeIntent order by createdAt", ImageChangeIntent.class)
                .getResultList())
                .map(all -> all.stream().filter(i -> i.worker.equals(worker) ? !inFlight.contains(i.id) : exited.test(i.worker)).toList());
    }

    /**
     * Settles the intents left over ({@link #leftOver}): {@code current} answers where a name points in the store now
     * (null when it is not there). An intent whose change the store shows gets its event; the others are dropped, since
     * their change was never made. Answers how many got their event.
     */
    public int settle(Predicate<String> exited, StoreLookup current) throws IOException {
        int published = 0;
        for (ImageChangeIntent i : BlockingCalls.await(() -> leftOver(exited))) {
            String now = current.digestOf(i.image);
            boolean made = switch (i.action) {
                case REMOVED -> now == null;
                case PULLED -> now != null && !now.equals(i.replacedDigest);
                default -> now != null && now.equals(i.digest);
            };
            if (made) {
                String digest = i.action == ImageAction.REMOVED ? i.digest : now;
                BlockingCalls.await(() -> changed(i.id, digest));
                published++;
            } else {
                BlockingCalls.await(() -> drop(i.id));
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
