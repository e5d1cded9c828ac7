package io.slipway.backbone.consume;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.events.build.BuildRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.ConnectException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The tests' consumer, shaped like a service's: an {@code @Incoming} channel that hands each record to
 * {@link IdempotentConsumer}. Its effect writes a {@link TestEffect} row and then behaves as the event's image says:
 * {@code fails} throws after writing (so the row must roll back), {@code invalid} is a {@link PermanentEventFailure},
 * {@code db-down} fails as if the database were out of reach until the test lets it through.
 */
@ApplicationScoped
public class ConsumerTestListener {
    static final String CHANNEL = "test-events";
    static final String TOPIC = "test.backbone.effects";
    static final String GROUP = "backbone-test.effects";

    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final AtomicReference<Boolean> databaseBack = new AtomicReference<>(false);
    private final IdempotentConsumer consumer;

    ConsumerTestListener(IdempotentConsumer consumer) {
        this.consumer = consumer;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        return consumer.consume(CHANNEL, record, this::apply);
    }

    /** The application's own events, written through its outbox and relayed by Debezium (OutboxAppendTest). */
    @Incoming("own-events")
    Uni<Void> consumeOwn(ConsumerRecord<String, byte[]> record) {
        return consumer.consume("own-events", record, this::apply);
    }

    /** Whether effects of {@code db-down} events go through (called on the client proxy: no field access). */
    void databaseBack(boolean back) {
        databaseBack.set(back);
    }

    int attempts(String buildId) {
        return attempts.getOrDefault(buildId, new AtomicInteger()).get();
    }

    private Uni<Void> apply(ConsumedEvent event) {
        BuildRequested requested = event.as(BuildRequested.class);
        attempts.computeIfAbsent(requested.getBuildId(), k -> new AtomicInteger()).incrementAndGet();
        TestEffect effect = new TestEffect();
        effect.id = UUID.randomUUID();
        effect.eventId = event.eventId();
        effect.buildId = requested.getBuildId();
        return Panache.getSession().chain(s -> s.persist(effect)).chain(s -> Panache.getSession()).chain(s -> s.flush()).chain(() -> {
            switch (requested.getImage()) {
                case "fails" -> throw new IllegalStateException("the effect of " + requested.getBuildId() + " fails");
                case "invalid" -> throw new PermanentEventFailure("image: 'invalid' can never be built");
                case "db-down" -> {
                    if (!databaseBack.get()) {
                        return Uni.createFrom().failure(new RuntimeException("pool", new ConnectException("Connection refused: 127.0.0.1:1")));
                    }
                }
                default -> {
                }
            }
            return Uni.createFrom().voidItem();
        });
    }
}
