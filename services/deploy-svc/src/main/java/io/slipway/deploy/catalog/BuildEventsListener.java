package io.slipway.deploy.catalog;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.IdempotentConsumer;
import io.slipway.events.build.BuildFailed;
import io.slipway.events.build.BuildRequested;
import io.slipway.events.build.BuildSucceeded;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Keeps {@link KnownBuild} up to date from build-svc's events (applied once each, by the backbone): which image a build
 * makes, and once it succeeded, the CloudImage's digest; a failure keeps its reason.
 */
@ApplicationScoped
public class BuildEventsListener {
    /** The channel, configured in application.properties (topic, consumer group {@code deploy-svc.build-catalog}). */
    static final String CHANNEL = "build-events";

    private final IdempotentConsumer consumer;

    BuildEventsListener(IdempotentConsumer consumer) {
        this.consumer = consumer;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        return consumer.consume(CHANNEL, record, this::apply);
    }

    Uni<Void> apply(ConsumedEvent event) {
        return switch (event.eventType()) {
            case "BuildRequested" -> {
                BuildRequested requested = event.as(BuildRequested.class);
                yield change(event, requested.getBuildId(), b -> {
                    b.image = requested.getImage();
                    b.requestedBy = requested.getRequestedBy();
                    b.requestedAt = requested.getRequestedAt();
                    if (b.state == null) {
                        b.state = "Requested";
                    }
                });
            }
            case "BuildSucceeded" -> {
                BuildSucceeded succeeded = event.as(BuildSucceeded.class);
                yield change(event, succeeded.getBuildId(), b -> {
                    b.image = succeeded.getImage();
                    b.digest = succeeded.getDigest();
                    b.state = "Succeeded";
                });
            }
            case "BuildFailed" -> {
                BuildFailed failed = event.as(BuildFailed.class);
                yield change(event, failed.getBuildId(), b -> {
                    b.state = "Failed";
                    b.failureReason = failed.getReason();
                });
            }
            default -> Uni.createFrom().voidItem(); // progress events this read model does not need
        };
    }

    private static Uni<Void> change(ConsumedEvent event, String buildId, java.util.function.Consumer<KnownBuild> update) {
        return Panache.getSession().chain(s -> s.find(KnownBuild.class, buildId).chain(found -> {
            KnownBuild build = found != null ? found : new KnownBuild();
            build.buildId = buildId;
            update.accept(build);
            if (build.image == null) {
                build.image = ""; // a later event arrived first; BuildRequested fills it in
            }
            build.eventsApplied++;
            build.lastEventType = event.eventType();
            build.lastEventId = event.eventId();
            return found != null ? Uni.createFrom().voidItem() : s.persist(build);
        }));
    }
}
