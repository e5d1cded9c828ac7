package io.slipway.cli.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordRendererTest {
    private final EventCodec codec = EventCodec.released();
    private final RecordRenderer renderer = new RecordRenderer(codec);

    @Test
    void aReleasedEventIsDecodedWithItsPositionKeyAndEnvelope() {
        BuildRequested event = BuildRequested.newBuilder().setBuildId("b-1").setImage("etcd:v1").setRequestedBy("ci")
                .setRequestedAt(Instant.parse("2026-01-01T00:00:00Z")).setPlatforms(List.of()).setBuildArgs(Map.of()).build();

        ObjectNode line = renderer.render(record("b-1", codec.encode(event), "eventId", "e-1", "eventType", "BuildRequested", "other", "x"));

        assertThat(line.path("topic").asText()).isEqualTo("slipway.build.events");
        assertThat(line.path("partition").asInt()).isEqualTo(2);
        assertThat(line.path("offset").asLong()).isEqualTo(42);
        assertThat(line.path("key").asText()).isEqualTo("b-1");
        assertThat(line.path("headers").path("eventId").asText()).isEqualTo("e-1");
        assertThat(line.path("headers").path("eventType").asText()).isEqualTo("BuildRequested");
        assertThat(line.path("headers").path("other").asText()).isEqualTo("x");
        assertThat(line.path("event").path("image").asText()).isEqualTo("etcd:v1");
        assertThat(line.has("error")).isFalse();
    }

    @Test
    void anUndecodableValueBecomesAnErrorNoteWithItsBytes() {
        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);

        ObjectNode line = renderer.render(record("k", garbage));

        assertThat(line.path("error").asText()).startsWith("cannot decode the value: not an Avro single-object encoded event");
        assertThat(line.path("valueBase64").asText()).isEqualTo(Base64.getEncoder().encodeToString(garbage));
        assertThat(line.has("event")).isFalse();
    }

    @Test
    void anUnknownSchemaFingerprintAndATombstoneAreReportedToo() {
        byte[] unknown = new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0};
        assertThat(renderer.render(record("k", unknown)).path("error").asText()).contains("unknown writer schema fingerprint");
        assertThat(renderer.render(record(null, null)).path("error").asText()).contains("tombstone");
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(new RecordHeader(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8)));
        }
        return new ConsumerRecord<>("slipway.build.events", 2, 42, 1_700_000_000_000L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, h, Optional.empty());
    }
}
