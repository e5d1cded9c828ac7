package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slipway.event.TestReceiver;
import io.slipway.event.TestReceiver.Answer;
import io.slipway.events.kube.KubeEvent;
import io.slipway.testkit.SlipwayInfra;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A replay from a time re-drives one sink only: its receiver gets those events again, the other sink nothing. */
class SinkReplayTest {
    @Test
    void replayFromATimestampRedeliversToOneSinkOnly() throws Exception {
        try (TestReceiver a = TestReceiver.start(r -> new Answer(200, "", Map.of()));
             TestReceiver b = TestReceiver.start(r -> new Answer(200, "", Map.of()));
             SinkHarness h = new SinkHarness("""
                     route: {match: [{receiver: a}, {receiver: b}]}
                     receivers:
                       - name: a
                         webhook: {url: '%s', layout: {id: '{{ .UID }}'}}
                       - name: b
                         webhook: {url: '%s', layout: {id: '{{ .UID }}'}}
                     """.formatted(a.url("/"), b.url("/")))) {
            List<KubeEvent> before = IntStream.range(0, 5).mapToObj(i -> warning("Before").build()).toList();
            h.burst(before);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.requests().size() == 5 && b.requests().size() == 5);

            Instant from = Instant.now();
            List<KubeEvent> after = IntStream.range(0, 5).mapToObj(i -> warning("After").build()).toList();
            h.burst(after);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.requests().size() == 10 && b.requests().size() == 10);
            Map<TopicPartition, OffsetAndMetadata> bBefore = committed("slipway-sink-b");

            Map<Integer, Long> offsets = h.sinks.replay("a", new ReplayFrom.Time(from));
            assertThat(offsets.values().stream().mapToLong(Long::longValue).sum()).as("offsets of the first 5 events").isEqualTo(5);

            await().atMost(Duration.ofSeconds(30)).until(() -> a.requests().size() == 15);
            assertThat(a.requests().subList(10, 15)).allSatisfy(r -> assertThat(after.stream().anyMatch(e -> r.body().contains(e.getUid()))).isTrue());
            assertThat(b.requests()).hasSize(10);
            assertThat(committed("slipway-sink-b")).as("the other sink's group was not touched").isEqualTo(bBefore);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SlipwayInfra.get().bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }
    }
}
