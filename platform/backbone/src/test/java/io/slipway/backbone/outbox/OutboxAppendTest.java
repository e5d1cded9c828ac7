package io.slipway.backbone.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.slipway.backbone.consume.IdempotentConsumerTest;
import org.junit.jupiter.api.Test;

/** {@link Outbox#append} as a service calls it, in a Hibernate Reactive transaction, relayed by the application's relay. */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "backbone"))
class OutboxAppendTest {
    static final String TOPIC = EventHeaders.eventsTopic("backbonetest");

    @Inject
    Outbox outbox;

    static BuildRequested event(String buildId) {
        return BuildRequested.newBuilder().setBuildId(buildId).setImage("etcd:v1").setRequestedBy("test")
                .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
    }

    static List<ConsumerRecord<String, byte[]>> eventsOf(String key) {
        return KafkaTopics.readAll(TOPIC).stream().filter(r -> key.equals(r.key())).toList();
    }

    @Test
    void anEventAppendedInACommittedTransactionIsPublishedWithItsEnvelope() {
        String key = "commit-" + UUID.randomUUID();
        EventContext context = new EventContext("corr-1", "cause-1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        UUID id = BlockingCalls.await(() -> Panache.withTransaction(() -> outbox.append(key, event(key), context)));

        ConsumerRecord<String, byte[]> r = await().atMost(Duration.ofSeconds(60)).until(() -> eventsOf(key), l -> !l.isEmpty()).get(0);
        assertThat(KafkaTopics.header(r, EventHeaders.EVENT_ID)).isEqualTo(id.toString());
        assertThat(KafkaTopics.header(r, EventHeaders.EVENT_TYPE)).isEqualTo("BuildRequested");
        assertThat(KafkaTopics.header(r, EventHeaders.CORRELATION_ID)).isEqualTo("corr-1");
        assertThat(KafkaTopics.header(r, EventHeaders.CAUSATION_ID)).isEqualTo("cause-1");
        assertThat(KafkaTopics.header(r, EventHeaders.TRACEPARENT)).isEqualTo(context.traceparent());
        assertThat(EventCodec.released().decode(r.value(), BuildRequested.class).getBuildId()).isEqualTo(key);
    }

    @Test
    void anEventAppendedInATransactionThatFailsAfterwardsIsNeverPublished() {
        String key = "rollback-" + UUID.randomUUID();
        EventContext context = EventContext.newRequest(null);
        assertThatThrownBy(() -> BlockingCalls.await(() -> Panache.withTransaction(() -> outbox.append(key, event(key), context)
                .chain(() -> Uni.createFrom().failure(new IllegalStateException("the caller's change failed"))))))
                .hasMessageContaining("the caller's change failed");
        UUID marker = BlockingCalls.await(() -> Panache.withTransaction(() -> outbox.append(key, event(key), context)));

        await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf(key).isEmpty());
        assertThat(eventsOf(key)).extracting(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID)).containsExactly(marker.toString());
        // and downstream: the application's own consumer of its events took the marker's effect, once, and nothing else
        await().atMost(Duration.ofSeconds(60)).until(() -> IdempotentConsumerTest.effects(key) == 1);
        assertThat(IdempotentConsumerTest.count("select count(*) from test_effect where event_id = ?", marker.toString())).isEqualTo(1);
    }

    @Test
    void anEventWrittenThroughTheOutboxTakesEffectOnceInAConsumerEvenWhenRedelivered() {
        String key = "e2e-" + UUID.randomUUID();
        UUID id = BlockingCalls.await(() -> Panache.withTransaction(() -> outbox.append(key, event(key), EventContext.newRequest(null))));
        await().atMost(Duration.ofSeconds(60)).until(() -> IdempotentConsumerTest.effects(key) == 1);
        // the relay republishes after a crash with the same event id: a consumer applies it once
        ConsumerRecord<String, byte[]> published = eventsOf(key).get(0);
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        published.headers().forEach(h -> headers.put(h.key(), new String(h.value(), java.nio.charset.StandardCharsets.UTF_8)));
        KafkaTopics.produce(TOPIC, key, published.value(), headers);
        UUID marker = BlockingCalls.await(() -> Panache.withTransaction(() -> outbox.append(key, event(key), EventContext.newRequest(null))));
        await().atMost(Duration.ofSeconds(60)).until(() -> IdempotentConsumerTest.count(
                "select count(*) from processed_event where event_id = ?", marker.toString()) == 1);
        assertThat(IdempotentConsumerTest.effects(key)).isEqualTo(2);
        assertThat(IdempotentConsumerTest.count("select count(*) from test_effect where event_id = ?", id.toString())).isEqualTo(1);
    }

    @Test
    void appendingOutsideATransactionIsRefusedAndWritesNothing() {
        String key = "no-tx-" + UUID.randomUUID();
        assertThatThrownBy(() -> BlockingCalls.await(() -> Panache.withSession(() -> outbox.append(key, event(key), EventContext.newRequest(null)))))
                .hasMessageContaining("needs a transaction");
        UUID marker = BlockingCalls.await(() -> Panache.withTransaction(() -> outbox.append(key, event(key), EventContext.newRequest(null))));
        await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf(key).isEmpty());
        assertThat(eventsOf(key)).extracting(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID)).containsExactly(marker.toString());
    }
}
