package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.kube.KubeEvent;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The Kafka sink against the real broker: the record passed on as it came, or as a JSON layout, keyed by object. */
class KafkaSinkTest {
    @Test
    void recordsArePassedOnOrRenderedWithTheirKeys() throws Exception {
        String raw = "test.sink.raw." + UUID.randomUUID().toString().substring(0, 8);
        String json = "test.sink.json." + UUID.randomUUID().toString().substring(0, 8);
        String brokers = SlipwayInfra.get().bootstrapServers();
        try (SinkHarness h = new SinkHarness("""
                route:
                  match:
                    - {receiver: raw}
                    - {type: Warning, receiver: json}
                receivers:
                  - name: raw
                    kafka: {brokers: ['%s'], topic: %s}
                  - name: json
                    kafka:
                      brokers: ['%s']
                      topic: %s
                      properties: {compression.type: lz4}
                      layout: {uid: '{{ .UID }}', text: '{{ .Reason }}: {{ .Message }}'}
                """.formatted(brokers, raw, brokers, json))) {
            KubeEvent warning = warning("BackOff").build();
            KubeEvent normal = io.slipway.event.TestEvents.normal("Pulled").build();
            h.publish(warning);
            h.publish(normal);

            await().atMost(Duration.ofSeconds(30)).until(() -> h.counters("raw").delivered() == 2 && h.counters("json").delivered() == 1);
            List<ConsumerRecord<String, byte[]>> passed = KafkaTopics.readAll(raw);
            assertThat(passed).hasSize(2);
            assertThat(passed).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(warning.getInvolvedUid(), normal.getInvolvedUid());
            assertThat(passed).allSatisfy(r -> assertThat(KafkaTopics.header(r, EventHeaders.EVENT_ID)).isNotNull());
            assertThat(passed.stream().map(r -> SinkHarness.decode(r.value()).getUid())).containsExactlyInAnyOrder(warning.getUid(), normal.getUid());

            List<ConsumerRecord<String, byte[]>> rendered = KafkaTopics.readAll(json);
            assertThat(rendered).hasSize(1);
            assertThat(rendered.get(0).key()).isEqualTo(warning.getInvolvedUid());
            JsonNode doc = new ObjectMapper().readTree(new String(rendered.get(0).value(), StandardCharsets.UTF_8));
            assertThat(doc.path("uid").asText()).isEqualTo(warning.getUid());
            assertThat(doc.path("text").asText()).isEqualTo("BackOff: BackOff happened");
        }
    }
}
