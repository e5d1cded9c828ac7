package io.slipway.backbone.consume;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.backbone.BackboneConfig;
import io.slipway.retry.Backoff;
import io.slipway.backbone.EventHeaders;
import io.slipway.schemas.EventCodec;
import io.slipway.schemas.EventDecodingException;
import io.slipway.schemas.SchemaCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * What every consumer of the backbone does around its effect, called from a SmallRye Reactive Messaging
 * {@code @Incoming} method: the envelope is checked, the event id is recorded in {@code processed_event} in the same
 * Hibernate Reactive transaction as the effect (a known id applies nothing), a failure is retried with backoff and
 * jitter up to {@code slipway.consumer.max-attempts}, and what still fails is nacked, which sends it to the dead-letter
 * topic ({@link DeadLetterStrategy}) and moves the partition on. One record at a time per channel, so events of one
 * key keep their order.
 */
@ApplicationScoped
public class IdempotentConsumer {
    private static final Logger LOG = Logger.getLogger(IdempotentConsumer.class);
    private static final String RECORD_APPLIED = """
            insert into processed_event(consumer_group, event_id, topic, partition_no, offset_no, processed_at)
            values (?1, ?2, ?3, ?4, ?5, now()) on conflict do nothing""";

    private final BackboneConfig config;
    private final Config mpConfig;
    private final MeterRegistry metrics;
    private final Backoff backoff;
    private final Map<String, String> groups = new ConcurrentHashMap<>();
    private final Map<String, GroupHealth> health = new ConcurrentHashMap<>();

    IdempotentConsumer(BackboneConfig config, Config mpConfig, MeterRegistry metrics) {
        this.config = config;
        this.mpConfig = mpConfig;
        this.metrics = metrics;
        this.backoff = new Backoff(config.consumer().initialBackoff(), config.consumer().maxBackoff());
    }

    /**
     * Applies {@code record} of channel {@code channel} once per consumer group: {@code effect} runs inside the
     * transaction that records the event id, so use the reactive Panache session for its writes. Completes when the
     * record is applied or was applied before; fails (and the record is dead-lettered) when it can never be applied
     * or still fails after the last attempt.
     */
    public Uni<Void> consume(String channel, ConsumerRecord<String, byte[]> record, Function<ConsumedEvent, Uni<Void>> effect) {
        String group = group(channel);
        ConsumedEvent event = ConsumedEvent.of(record);
        String invalid = envelopeProblem(event);
        if (invalid != null) {
            return Uni.createFrom().failure(new DeadLetterReason(invalid, null));
        }
        Context context = Vertx.currentContext();
        return attempt(group, event, effect, 1, context);
    }

    private Uni<Void> attempt(String group, ConsumedEvent event, Function<ConsumedEvent, Uni<Void>> effect, int attempt, Context context) {
        return Uni.createFrom().deferred(() -> applyOnce(group, event, effect))
                .onItem().invoke(applied -> {
                    healthOf(group).succeeded();
                    if (applied) {
                        metrics.counter("slipway.consumer.applied", "group", group, "type", String.valueOf(event.eventType())).increment();
                    } else {
                        metrics.counter("slipway.consumer.duplicates", "group", group).increment();
                    }
                })
                .replaceWithVoid()
                .onFailure(e -> !permanent(e) && !(e instanceof DeadLetterReason)).recoverWithUni(e -> {
                    boolean unreachable = DatabaseFailures.unreachable(e);
                    if (unreachable) {
                        // not the event's fault: wait for the database however long it takes, and say so in readiness
                        healthOf(group).failed(e);
                    } else if (attempt >= config.consumer().maxAttempts()) {
                        return Uni.createFrom().failure(new DeadLetterReason("failed after " + attempt + " attempts: "
                                + e.getClass().getSimpleName() + ": " + e.getMessage(), e));
                    }
                    LOG.infof("group %s retries %s (attempt %d%s): %s", group, event.position(), attempt,
                            unreachable ? ", database out of reach" : "", e.getMessage());
                    metrics.counter("slipway.consumer.retries", "group", group).increment();
                    long delay = backoff.forRetry(attempt).toMillis();
                    return later(context, delay).chain(() -> attempt(group, event, effect, attempt + 1, context));
                })
                .onFailure(e -> !(e instanceof DeadLetterReason)).transform(e ->
                        new DeadLetterReason(e.getClass().getSimpleName() + ": " + e.getMessage(), e));
    }

    /** The listener's effect and the record of the event id commit in one transaction; a known id applies nothing. */
    private Uni<Boolean> applyOnce(String group, ConsumedEvent event, Function<ConsumedEvent, Uni<Void>> effect) {
        return Panache.withTransaction(() -> recordAndApply(group, event, effect));
    }

    /**
     * {@link #consume}'s effect as it applies live, into the tables of schema {@code schema} instead of the live ones (a
     * read model rebuilt from its topic, {@link io.slipway.backbone.rebuild.ReadModelRebuild}): the same transaction,
     * with the schema first on its search path, so the event id is recorded in that schema's {@code processed_event}.
     * Answers whether the event was applied (false: its id was known). No retry and no dead letter: a failure is the
     * caller's to report.
     */
    public Uni<Boolean> applyIn(String schema, String channel, ConsumedEvent event, Function<ConsumedEvent, Uni<Void>> effect) {
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a schema name: " + schema);
        }
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery("set local search_path to " + schema).executeUpdate())
                .chain(() -> recordAndApply(group(channel), event, effect)));
    }

    private static Uni<Boolean> recordAndApply(String group, ConsumedEvent event, Function<ConsumedEvent, Uni<Void>> effect) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(RECORD_APPLIED)
                        .setParameter(1, group).setParameter(2, event.eventId()).setParameter(3, event.topic())
                        .setParameter(4, event.partition()).setParameter(5, event.offset()).executeUpdate())
                .chain(inserted -> inserted == 0 ? Uni.createFrom().item(false) : effect.apply(event).replaceWith(true));
    }

    /**
     * Completes after {@code millis} on the record's own Vert.x context (a duplicated one), where the next attempt's
     * reactive session must run; Mutiny's own delay would resume on a worker thread.
     */
    private static Uni<Void> later(Context context, long millis) {
        if (context == null) {
            return Uni.createFrom().voidItem().onItem().delayIt().by(java.time.Duration.ofMillis(millis));
        }
        return Uni.createFrom().emitter(e -> context.owner().setTimer(Math.max(1, millis), id -> context.runOnContext(v -> e.complete(null))));
    }

    static boolean permanent(Throwable e) {
        return e instanceof PermanentEventFailure || e instanceof EventDecodingException;
    }

    /** Why a record cannot be an event at all (no retry can help), or null. */
    public static String envelopeProblem(ConsumedEvent event) {
        if (event.eventId() == null) {
            return "missing " + EventHeaders.EVENT_ID + " header";
        }
        if (event.value() == null) {
            return "undecodable: no value";
        }
        try {
            long fingerprint = EventCodec.fingerprintOf(event.value());
            if (SchemaCatalog.released().byFingerprint(fingerprint).isEmpty()) {
                return "undecodable: unknown writer schema fingerprint " + Long.toHexString(fingerprint);
            }
        } catch (EventDecodingException e) {
            return "undecodable: " + e.getMessage();
        }
        return null;
    }

    /** The consumer group of an incoming channel, as configured ({@code mp.messaging.incoming.<channel>.group.id}). */
    public String group(String channel) {
        return groups.computeIfAbsent(channel, c -> mpConfig.getOptionalValue("mp.messaging.incoming." + c + ".group.id", String.class)
                .orElseGet(() -> mpConfig.getOptionalValue("quarkus.application.name", String.class).orElse(c)));
    }

    /** Groups whose last {@code threshold} attempts or more all failed, with the last error. */
    public Map<String, String> failingGroups(int threshold) {
        Map<String, String> failing = new LinkedHashMap<>();
        health.forEach((group, h) -> {
            if (h.failures >= threshold) {
                failing.put(group, h.failures + " failures in a row, last: " + h.lastError);
            }
        });
        return failing;
    }

    /** Records that the dead-letter topic of {@code group} could not be written (Kafka out of reach), or again could. */
    void deadLetterFailed(String group, Throwable e) {
        healthOf(group).failed(e);
    }

    void deadLettered(String group) {
        healthOf(group).succeeded();
    }

    private GroupHealth healthOf(String group) {
        return health.computeIfAbsent(group, g -> new GroupHealth());
    }

    /** Consecutive failures of one group: effects that failed, dead letters that could not be written. */
    private static final class GroupHealth {
        volatile int failures;
        volatile String lastError;

        void failed(Throwable e) {
            failures++;
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            lastError = root.getClass().getSimpleName() + ": " + root.getMessage();
        }

        void succeeded() {
            failures = 0;
        }
    }
}
