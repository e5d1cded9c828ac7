package io.slipway.backbone.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfra;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The consumer loop against a real broker: bounded retries, dead letters with their origin, order kept. */
class ConsumerLoopTest {
    final String topic = "test.loop." + UUID.randomUUID();
    final String group = "g-" + UUID.randomUUID();
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final DeadLetters deadLetters = new DeadLetters(SlipwayInfra.get().bootstrapServers(), "dlq-test", metrics);
    final List<String> applied = new CopyOnWriteArrayList<>();
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    final AtomicInteger attemptsOnPoison = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    ConsumerLoop loop;
    Thread thread;

    static byte[] event(String buildId) {
        return EventCodec.released().encode(BuildRequested.newBuilder().setBuildId(buildId).setImage("img:1").setRequestedBy("t")
                .setRequestedAt(Instant.now()).build());
    }

    void start(String poisonBuild) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SlipwayInfra.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        loop = new ConsumerLoop(group, consumer, e -> {
            String buildId = e.as(BuildRequested.class).getBuildId();
            if (buildId.equals(poisonBuild)) {
                attemptsOnPoison.incrementAndGet();
                throw new IllegalStateException("handler refuses " + buildId);
            }
            if (!seen.add(e.eventId())) {
                return false;
            }
            applied.add(buildId);
            return true;
        }, deadLetters::send, 3, Duration.ofMillis(10), Duration.ofMillis(50), new ConsumerLoop.Listener() {
            public void applied(ConsumedEvent event) {
            }

            public void duplicate(ConsumedEvent event) {
                duplicates.incrementAndGet();
            }

            public void retry(ConsumedEvent event, int attempt, Exception cause) {
            }
        });
        thread = new Thread(loop, "loop-under-test");
        thread.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(10_000);
        }
        deadLetters.close();
    }

    static Map<String, String> envelope(String id) {
        return Map.of(EventHeaders.EVENT_ID, id, EventHeaders.EVENT_TYPE, "BuildRequested");
    }

    @Test
    void aHandlerThatAlwaysFailsIsRetriedBoundedlyThenDeadLetteredAndThePartitionMovesOn() {
        String key = "same-key";
        KafkaTopics.produce(topic, key, event("poison"), envelope("e-poison"));
        KafkaTopics.produce(topic, key, event("after"), envelope("e-after"));
        start("poison");

        await().atMost(Duration.ofSeconds(60)).until(() -> applied.contains("after"));
        assertThat(attemptsOnPoison.get()).isEqualTo(3);
        List<ConsumerRecord<String, byte[]>> dead = KafkaTopics.readAll(topic + ".dlq");
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(KafkaTopics.header(r, EventHeaders.EVENT_ID)).isEqualTo("e-poison");
            assertThat(KafkaTopics.header(r, EventHeaders.DLQ_REASON)).isEqualTo("failed after 3 attempts: IllegalStateException: handler refuses poison");
            assertThat(KafkaTopics.header(r, EventHeaders.DLQ_TOPIC)).isEqualTo(topic);
            assertThat(KafkaTopics.header(r, EventHeaders.DLQ_OFFSET)).isEqualTo("0");
        });
        assertThat(metrics.counter("slipway.dlq.records", "group", group, "topic", topic).count()).isEqualTo(1.0);
    }

    @Test
    void recordsWithoutAnEventIdOrNotAvroAreDeadLetteredWithoutRetry() {
        KafkaTopics.produce(topic, "k", event("no-id"), Map.of());
        KafkaTopics.produce(topic, "k", new byte[] {1, 2, 3}, envelope("e-garbage"));
        KafkaTopics.produce(topic, "k", event("good"), envelope("e-good"));
        KafkaTopics.produce(topic, "k", event("good"), envelope("e-good"));
        start("none");

        await().atMost(Duration.ofSeconds(60)).until(() -> duplicates.get() == 1);
        assertThat(applied).containsExactly("good");
        List<String> reasons = KafkaTopics.readAll(topic + ".dlq").stream().map(r -> KafkaTopics.header(r, EventHeaders.DLQ_REASON)).toList();
        assertThat(reasons).containsExactly("missing eventId header",
                "undecodable: not an Avro single-object encoded event (starts with 01 02, expected c3 01)");
    }

    @Test
    void committedOffsetsSurviveARestartOfTheLoop() {
        KafkaTopics.produce(topic, "k", event("first"), envelope("e1"));
        start("none");
        await().atMost(Duration.ofSeconds(60)).until(() -> applied.contains("first"));
        loop.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !thread.isAlive());

        seen.clear(); // a fresh process without memory: only the committed offset prevents a replay
        KafkaTopics.produce(topic, "k", event("second"), envelope("e2"));
        start("none");
        await().atMost(Duration.ofSeconds(60)).until(() -> applied.contains("second"));
        assertThat(applied).containsExactly("first", "second");
    }
}
