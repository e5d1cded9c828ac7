package io.slipway.backbone.consume;

import io.slipway.retry.Backoff;
import io.slipway.backbone.EventHeaders;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * The backbone's failure strategy for SmallRye Kafka channels ({@code failure-strategy=slipway-dead-letter}, the
 * default the backbone configures): a nacked record goes to {@code <topic>.dlq} unchanged, with the reason, its
 * topic, partition, offset and the consumer group in headers ({@link DeadLetters}), and only then is it acked, so the
 * partition moves on without losing it. SmallRye's own {@code dead-letter-queue} strategy writes neither the group
 * nor our reason wording, and gives up on a dead letter Kafka did not take; this one tries again with backoff until
 * Kafka takes it (the partition waits, readiness says why).
 */
public final class DeadLetterStrategy implements KafkaFailureHandler {
    public static final String NAME = "slipway-dead-letter";
    private static final Logger LOG = Logger.getLogger(DeadLetterStrategy.class);
    /** Appended to the reason of a dead letter whose value was withheld. */
    static final String WITHHELD = " (the record's value is not copied here: it carried a secret)";
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final String group;
    private final DeadLetters deadLetters;
    private final IdempotentConsumer consumers;
    private volatile boolean terminated;

    DeadLetterStrategy(String group, DeadLetters deadLetters, IdempotentConsumer consumers) {
        this.group = group;
        this.deadLetters = deadLetters;
        this.consumers = consumers;
    }

    @ApplicationScoped
    @Identifier(NAME)
    public static class Factory implements KafkaFailureHandler.Factory {
        private final DeadLetters deadLetters;
        private final IdempotentConsumer consumers;

        Factory(DeadLetters deadLetters, IdempotentConsumer consumers) {
            this.deadLetters = deadLetters;
            this.consumers = consumers;
        }

        @Override
        public KafkaFailureHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx, KafkaConsumer<?, ?> consumer,
                                          BiConsumer<Throwable, Boolean> reportFailure) {
            return new DeadLetterStrategy(consumers.group(config.getChannel()), deadLetters, consumers);
        }
    }

    @Override
    public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
        String why = reason instanceof DeadLetterReason ? reason.getMessage() : reason.getClass().getSimpleName() + ": " + reason.getMessage();
        LOG.warnf("group %s dead-letters %s/%d@%d: %s", group, record.getTopic(), record.getPartition(), record.getOffset(), why);
        return store(record, why, PermanentEventFailure.withheld(reason), 1).chain(() -> Uni.createFrom().completionStage(record.ack()))
                .emitOn(record::runOnMessageContext);
    }

    private <K, V> Uni<Void> store(IncomingKafkaRecord<K, V> record, String why, boolean withhold, int attempt) {
        // the producer may block (metadata of a new topic, a full buffer): never on the record's event loop
        return Uni.createFrom().completionStage(() -> deadLetters.sendAsync(EventHeaders.deadLetterTopic(record.getTopic()), group,
                        record.getTopic(), record.getPartition(), record.getOffset(), record.getKey() == null ? null : String.valueOf(record.getKey()),
                        withhold ? null : (byte[]) record.getPayload(), record.getHeaders(), withhold ? why + WITHHELD : why))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(() -> consumers.deadLettered(group))
                .onFailure(e -> !terminated).recoverWithUni(e -> {
                    consumers.deadLetterFailed(group, e);
                    Duration delay = BACKOFF.forRetry(attempt);
                    LOG.warnf("group %s cannot dead-letter %s/%d@%d yet (attempt %d), trying again in %d ms: %s", group, record.getTopic(),
                            record.getPartition(), record.getOffset(), attempt, delay.toMillis(), e.getMessage());
                    return Uni.createFrom().voidItem().onItem().delayIt().by(delay).chain(() -> store(record, why, withhold, attempt + 1));
                });
    }

    @Override
    public void terminate() {
        terminated = true;
    }
}
