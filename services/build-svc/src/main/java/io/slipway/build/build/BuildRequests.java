package io.slipway.build.build;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.events.build.BuildFailed;
import io.slipway.events.build.BuildRequested;
import io.slipway.events.build.BuildRequeued;
import io.slipway.events.build.BuildStarted;
import io.slipway.events.build.BuildSucceeded;
import io.slipway.events.build.ImagePushed;
import io.slipway.events.build.ImagesCached;
import io.slipway.events.build.LayerBuilt;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Build aggregate's transitions: every change of a build row and its event commit in one transaction
 * (Requested, Started, LayerBuilt..., ImagesCached, ImagePushed, Succeeded | Failed).
 */
@ApplicationScoped
public class BuildRequests {
    private final Outbox outbox;

    BuildRequests(Outbox outbox) {
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<Build> request(BuildRequest request, String requestedBy, EventContext context) {
        return request(request, null, requestedBy, context);
    }

    /** Records a request; with a caller-chosen id (CI over Kafka), asking twice returns the first build unchanged. */
    @WithTransaction
    public Uni<Build> request(BuildRequest request, String buildId, String requestedBy, EventContext context) {
        request.validate();
        String id = buildId != null ? buildId : UUID.randomUUID().toString();
        return Panache.getSession().chain(s -> s.find(Build.class, id)).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            Build build = new Build();
            build.id = id;
            build.image = request.image();
            build.kubefile = request.kubefileOrDefault();
            build.context = request.context();
            build.buildArgs = new HashMap<>(request.buildArgs());
            build.platforms = new ArrayList<>(request.platforms());
            build.noCache = request.noCacheOrFalse();
            build.push = request.pushOrFalse();
            build.strict = request.strictOrFalse();
            build.state = Build.State.Requested;
            build.requestedBy = requestedBy;
            build.requestedAt = now();
            build.correlationId = context.correlationId();
            build.traceparent = context.traceparent();
            BuildRequested event = BuildRequested.newBuilder()
                    .setBuildId(build.id).setImage(build.image).setKubefile(build.kubefile).setContext(build.context)
                    .setPlatforms(request.platforms()).setBuildArgs(request.buildArgs())
                    .setRequestedBy(requestedBy).setRequestedAt(build.requestedAt).build();
            return Panache.getSession().chain(s -> s.persist(build))
                    .chain(() -> outbox.append(build.id, event, context))
                    .replaceWith(build);
        });
    }

    /** Claims the oldest Requested build for {@code worker} (skipping rows another worker is claiming), or null. */
    @WithTransaction
    public Uni<Build> claimNext(String worker) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select id from build where state = 'Requested' order by requested_at limit 1 for update skip locked""", String.class)
                .getResultList()).chain(ids -> {
            if (ids.isEmpty()) {
                return Uni.createFrom().nullItem();
            }
            return change(ids.get(0), null, b -> {
                b.state = Build.State.Started;
                b.worker = worker;
                b.startedAt = now();
                b.heartbeatAt = b.startedAt;
                b.lastStep = "started";
                return BuildStarted.newBuilder().setBuildId(b.id).setWorker(worker).setStartedAt(b.startedAt).build();
            });
        });
    }

    /** Renews the lease of every build {@code worker} runs; answers how many it holds. */
    @WithTransaction
    public Uni<Integer> heartbeat(String worker) {
        return Panache.getSession().chain(s -> s.createMutationQuery(
                        "update Build set heartbeatAt = :now where worker = :me and state = :started")
                .setParameter("now", now()).setParameter("me", worker).setParameter("started", Build.State.Started).executeUpdate());
    }

    /**
     * Puts back to Requested, each with a BuildRequeued event, the Started builds whose worker is gone: no heartbeat since
     * {@code lapsedBefore}, or {@code exited} says its process has exited. The rows are locked (skipping those another
     * instance is requeueing), so a build is requeued once. Answers the builds requeued.
     */
    @WithTransaction
    public Uni<List<Build>> requeueGone(Instant lapsedBefore, Predicate<String> exited) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "select id from build where state = 'Started' order by started_at for update skip locked", String.class)
                .getResultList()).chain(ids -> Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> Panache.getSession().chain(s -> s.find(Build.class, id))
                        .chain(b -> requeueIfGone(b, lapsedBefore, exited)))
                .filter(java.util.Objects::nonNull).collect().asList());
    }

    private Uni<Build> requeueIfGone(Build b, Instant lapsedBefore, Predicate<String> exited) {
        String why;
        if (b.heartbeatAt == null || b.heartbeatAt.isBefore(lapsedBefore)) {
            why = "its lease lapsed: no heartbeat since " + (b.heartbeatAt == null ? "it started" : b.heartbeatAt);
        } else if (b.worker != null && exited.test(b.worker)) {
            why = "its worker's process on this host has exited";
        } else {
            return Uni.createFrom().nullItem();
        }
        String worker = b.worker;
        return change(b.id, null, x -> {
            x.state = Build.State.Requested;
            x.worker = null;
            x.heartbeatAt = null;
            x.lastStep = "requeued: " + why;
            return BuildRequeued.newBuilder().setBuildId(x.id).setWorker(worker).setReason(why).setRequeuedAt(now()).build();
        });
    }

    @WithTransaction
    public Uni<Build> layerBuilt(String id, String worker, LayerBuilt event) {
        return change(id, worker, b -> {
            if (event.getCached()) {
                b.layersCached++;
            } else {
                b.layersBuilt++;
            }
            b.lastStep = "step " + event.getStep() + " (line " + event.getLine() + "): " + event.getInstruction();
            return event;
        });
    }

    @WithTransaction
    public Uni<Build> imagesCached(String id, String worker, ImagesCached event) {
        return change(id, worker, b -> {
            b.lastStep = "cached " + event.getImages().size() + " container images";
            b.imagesUnresolved = event.getUnresolved().size();
            return event;
        });
    }

    @WithTransaction
    public Uni<Build> pushed(String id, String worker, ImagePushed event) {
        return change(id, worker, b -> {
            b.lastStep = "pushed " + event.getReference();
            return event;
        });
    }

    @WithTransaction
    public Uni<Build> succeeded(String id, String worker, String digest) {
        return change(id, worker, b -> {
            b.state = Build.State.Succeeded;
            b.digest = digest;
            b.finishedAt = now();
            return BuildSucceeded.newBuilder().setBuildId(b.id).setImage(b.image).setDigest(digest)
                    .setLayers(b.layersBuilt + b.layersCached).setCachedLayers(b.layersCached).setFinishedAt(b.finishedAt).build();
        });
    }

    @WithTransaction
    public Uni<Build> failed(String id, String worker, String reason) {
        return change(id, worker, b -> {
            b.state = Build.State.Failed;
            b.failureReason = reason.length() > 4000 ? reason.substring(0, 3997) + "..." : reason;
            b.finishedAt = now();
            return BuildFailed.newBuilder().setBuildId(b.id).setReason(b.failureReason).setStep(b.lastStep)
                    .setFinishedAt(b.finishedAt).build();
        });
    }

    @WithTransaction
    public Uni<Build> find(String id) {
        return Panache.getSession().chain(s -> s.find(Build.class, id));
    }

    @WithTransaction
    public Uni<List<Build>> list(int limit) {
        return Panache.getSession().chain(s -> s.createQuery("from Build order by requestedAt desc", Build.class)
                .setMaxResults(limit).getResultList());
    }

    /**
     * Applies a transition to a build that is not finished and appends the event it yields, in the caller's transaction;
     * with a {@code worker}, only while that worker still holds the build (else {@link LeaseLost}).
     */
    private Uni<Build> change(String id, String worker, java.util.function.Function<Build, SpecificRecord> transition) {
        return Panache.getSession().chain(s -> s.find(Build.class, id)).chain(b -> {
            if (b == null) {
                return Uni.createFrom().failure(new IllegalStateException("build " + id + " does not exist"));
            }
            if (b.state.terminal()) {
                return Uni.createFrom().failure(new IllegalStateException("build " + id + " already " + b.state));
            }
            if (worker != null && !worker.equals(b.worker)) {
                return Uni.createFrom().failure(new LeaseLost(id, worker, b.worker));
            }
            SpecificRecord event = transition.apply(b);
            return outbox.append(b.id, event, new EventContext(b.correlationId, null, b.traceparent)).replaceWith(b);
        });
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
