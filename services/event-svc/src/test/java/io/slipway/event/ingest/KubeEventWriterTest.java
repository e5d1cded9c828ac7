package io.slipway.event.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The record the ingest writes straight from an occurrence is, byte for byte, what Avro writes for the same
 * {@code KubeEvent}, and every released reader decodes it: defaults, absent values, empty and non-ASCII strings.
 */
class KubeEventWriterTest {
    private static final EventCodec CODEC = EventCodec.released();
    private static final Instant FIRST = Instant.parse("2026-01-02T03:04:05.123456Z");
    private static final Instant LAST = Instant.parse("2026-01-02T03:09:00Z");

    static KubeEvent decode(byte[] value) {
        return CODEC.decode(value, KubeEvent.class);
    }

    @Test
    void aFullOccurrenceIsWhatAvroWritesForItsKubeEvent() {
        Map<String, String> labels = new LinkedHashMap<>(Map.of("app", "cart"));
        labels.put("tier", "web");
        Map<String, String> annotations = Map.of("owner", "team-a@example.org", "note", "ünïcödé ✓ 日本語 🚀");
        Occurrence o = new Occurrence(EventApi.CORE, "ev-1", "shop", "Warning", "BackOff", "Back-off restarting: \"app\" ✗", 7,
                new Occurrence.Involved("v1", "Pod", "shop", "cart-0", "pod-uid"), FIRST, LAST, "kubelet", "node-1", "1042");
        KubeEvent expected = new KubeEvent("ev-1", "prod", "shop", "Warning", "BackOff", "Back-off restarting: \"app\" ✗", 7, "Pod", "cart-0",
                "pod-uid", labels, FIRST.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), LAST, "shop", "v1", annotations, "kubelet",
                "node-1", "v1", "1042");

        byte[] written = new KubeEventWriter("prod").write(o, new InvolvedObjects.Metadata("other-uid", labels, annotations));

        assertThat(written).isEqualTo(CODEC.encode(expected));
        assertThat(decode(written)).isEqualTo(expected);
    }

    @Test
    void absentValuesGetTheDefaultsTheIngestAlwaysGave() {
        Occurrence bare = new Occurrence(EventApi.EVENTS, "ev-2", null, " ", null, null, 1, null, Instant.EPOCH, Instant.EPOCH, null, null, null);
        KubeEvent expected = new KubeEvent("ev-2", "prod", null, "Normal", "", "", 1, "", "", null, Map.of(), Instant.EPOCH, Instant.EPOCH,
                null, null, Map.of(), null, null, "events.k8s.io/v1", null);
        KubeEventWriter writer = new KubeEventWriter("prod");

        byte[] written = writer.write(bare, InvolvedObjects.Metadata.NONE);

        assertThat(written).isEqualTo(CODEC.encode(expected));
        assertThat(decode(written)).isEqualTo(expected);
        // the involved uid comes from the object read when the event has none; an empty namespace is none
        Occurrence clusterScoped = new Occurrence(EventApi.CORE, "ev-3", "default", "Normal", "Rebooted", "m", 2,
                new Occurrence.Involved(null, "Node", "", "node-1", ""), LAST, LAST, null, null, "7");
        KubeEvent node = decode(writer.write(clusterScoped, new InvolvedObjects.Metadata("node-uid", Map.of("zone", "a"), Map.of())));
        assertThat(node.getInvolvedUid()).isEqualTo("node-uid");
        assertThat(node.getInvolvedNamespace()).isNull();
        assertThat(node.getInvolvedLabels()).isEqualTo(Map.of("zone", "a"));
        // the buffer is reused: a long value after short ones, then a short one again
        String longMessage = "x".repeat(10_000) + "é";
        Occurrence big = new Occurrence(EventApi.CORE, "ev-4", "ns", "Normal", "R", longMessage, 3, null, LAST, LAST, null, null, "8");
        assertThat(decode(writer.write(big, InvolvedObjects.Metadata.NONE)).getMessage()).isEqualTo(longMessage);
        assertThat(decode(writer.write(bare, InvolvedObjects.Metadata.NONE))).isEqualTo(expected);
    }
}
