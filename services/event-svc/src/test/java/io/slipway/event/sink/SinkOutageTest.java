package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.backbone.EventHeaders;
import io.slipway.event.TestReceiver;
import io.slipway.event.TestReceiver.Answer;
import io.slipway.events.kube.KubeEvent;
import io.slipway.testkit.KafkaTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Receivers that are down: one that refuses connections for a while and comes back gets every event, in order per
 * involved object; one that fails forever sends its events to its own dead-letter topic and delays no other sink.
 */
class SinkOutageTest {
    /** How long the receiver stays down: a real minute of refused connections (shorter with -Dslipway.test.sink-downtime-ms). */
    private static final Duration DOWNTIME = Duration.ofMillis(Long.getLong("slipway.test.sink-downtime-ms", 60_000));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Ten occurrences (count 1..10) of one event for each of five objects, interleaved as a cluster emits them. */
    private static List<KubeEvent> interleaved() {
        List<String> objects = IntStream.range(0, 5).mapToObj(i -> UUID.randomUUID().toString()).toList();
        Map<String, String> eventUid = objects.stream().collect(Collectors.toMap(o -> o, o -> UUID.randomUUID().toString()));
        List<KubeEvent> events = new ArrayList<>();
        for (int count = 1; count <= 10; count++) {
            for (String object : objects) {
                events.add(warning("BackOff").setUid(eventUid.get(object)).setInvolvedUid(object).setInvolvedName("pod-" + object.substring(0, 4))
                        .setCount(count).build());
            }
        }
        return events;
    }

    private static final String LAYOUT = "layout: {object: '{{ .InvolvedObject.UID }}', count: '{{ .Count }}'}";

    @Test
    void aReceiverDownForAWhileGetsEverythingInOrderWhenItReturns() throws Exception {
        try (TestReceiver hook = TestReceiver.down(r -> new Answer(200, "", Map.of()));
             SinkHarness h = new SinkHarness("""
                     route: {match: [{receiver: hook}]}
                     receivers:
                       - name: hook
                         webhook: {url: '%s', %s}
                         retry: {initialBackoff: 100ms, maxBackoff: 500ms, maxElapsed: 2m}
                     """.formatted(hook.url("/"), LAYOUT))) {
            long down = System.currentTimeMillis();
            List<KubeEvent> events = interleaved();
            h.burst(events);

            await("the receiver is really down for " + DOWNTIME).atMost(DOWNTIME.plusSeconds(30))
                    .until(() -> h.counters("hook").retried() >= 3 && System.currentTimeMillis() - down >= DOWNTIME.toMillis());
            assertThat(h.counters("hook").delivered()).isZero();
            hook.listen();

            await().atMost(Duration.ofSeconds(60)).until(() -> h.counters("hook").delivered() == events.size());
            Map<String, List<Integer>> countsByObject = new LinkedHashMap<>();
            for (var r : hook.requests()) {
                JsonNode body = JSON.readTree(r.body());
                countsByObject.computeIfAbsent(body.path("object").asText(), o -> new ArrayList<>()).add(body.path("count").asInt());
            }
            assertThat(countsByObject).hasSize(5);
            countsByObject.forEach((object, counts) -> assertThat(counts).as("occurrences of %s in order", object)
                    .isEqualTo(IntStream.rangeClosed(1, 10).boxed().toList()));
            assertThat(h.counters("hook").deadLettered()).isZero();
            assertThat(h.deadLetters("hook")).isEmpty();
        }
    }

    @Test
    void aReceiverFailingForeverDeadLettersItsEventsAndDelaysNoOtherSink() throws Exception {
        try (TestReceiver good = TestReceiver.start(r -> new Answer(200, "", Map.of()));
             TestReceiver bad = TestReceiver.start(r -> new Answer(500, "database is on fire", Map.of()));
             SinkHarness h = new SinkHarness("""
                     route: {match: [{receiver: good}, {receiver: bad}, {receiver: file}]}
                     receivers:
                       - name: good
                         webhook: {url: '%s', %s}
                       - name: bad
                         webhook: {url: '%s'}
                         retry: {maxAttempts: 4, initialBackoff: 100ms, maxBackoff: 200ms}
                       - name: file
                         file: {path: '%s'}
                     """.formatted(good.url("/"), LAYOUT, bad.url("/"), java.nio.file.Files.createTempFile("sink", ".jsonl")))) {
            List<KubeEvent> events = interleaved().subList(0, 20);
            h.burst(events);

            await().atMost(Duration.ofSeconds(30)).until(() -> h.counters("good").delivered() == 20 && h.counters("file").delivered() == 20);
            assertThat(h.counters("bad").deadLettered()).as("the failing sink is still working through its retries").isLessThan(20);

            await().atMost(Duration.ofSeconds(60)).until(() -> h.counters("bad").deadLettered() == 20);
            List<ConsumerRecord<String, byte[]>> dead = h.deadLetters("bad");
            assertThat(dead).hasSize(20);
            assertThat(dead).allSatisfy(d -> {
                assertThat(KafkaTopics.header(d, EventHeaders.DLQ_REASON)).contains("gave up after 4 attempt(s)").contains("HTTP 500: database is on fire");
                assertThat(KafkaTopics.header(d, EventHeaders.DLQ_TOPIC)).isEqualTo(h.topic);
                assertThat(KafkaTopics.header(d, EventHeaders.DLQ_CONSUMER_GROUP)).isEqualTo("slipway-sink-bad");
            });
            Set<String> positions = dead.stream().map(d -> KafkaTopics.header(d, EventHeaders.DLQ_PARTITION) + "@"
                    + KafkaTopics.header(d, EventHeaders.DLQ_OFFSET)).collect(Collectors.toSet());
            assertThat(positions).as("every original record, once").hasSize(20);
            assertThat(dead.stream().map(d -> SinkHarness.decode(d.value()).getUid() + "-" + SinkHarness.decode(d.value()).getCount()))
                    .containsExactlyInAnyOrderElementsOf(events.stream().map(e -> e.getUid() + "-" + e.getCount()).toList());
            assertThat(bad.requests()).hasSize(80);
            assertThat(h.counters("bad").retried()).isEqualTo(60);
            assertThat(h.deadLetters("good")).isEmpty();
            assertThat(h.deadLetters("file")).isEmpty();
        }
    }
}
