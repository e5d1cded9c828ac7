package io.slipway.event.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One Event read through either API is the same occurrence; times in every form Kubernetes writes them. Events are
 * written as JSON by the Kubernetes client's own model and read back by the ingest's streaming reader.
 */
class OccurrenceTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final io.fabric8.kubernetes.api.model.ObjectReference pod = new ObjectReferenceBuilder()
            .withApiVersion("v1").withKind("Pod").withNamespace("shop").withName("cart-0").withUid("pod-uid").build();

    @Test
    void theSameEventReadThroughEitherApiIsTheSameOccurrence() throws IOException {
        var core = new EventBuilder().withNewMetadata().withUid("ev-1").withNamespace("shop").withResourceVersion("42").endMetadata()
                .withInvolvedObject(pod).withType("Warning").withReason("FailedScheduling").withMessage("0/3 nodes")
                .withEventTime(new MicroTime("2026-01-02T03:04:05.123456Z")).withReportingComponent("default-scheduler")
                .withNewSeries().withCount(4).withLastObservedTime(new MicroTime("2026-01-02T03:09:00.000001Z")).endSeries()
                .withCount(0).build();
        var events = new io.fabric8.kubernetes.api.model.events.v1.EventBuilder()
                .withNewMetadata().withUid("ev-1").withNamespace("shop").withResourceVersion("42").endMetadata()
                .withRegarding(pod).withType("Warning").withReason("FailedScheduling").withNote("0/3 nodes")
                .withEventTime(new MicroTime("2026-01-02T03:04:05.123456Z")).withReportingController("default-scheduler")
                .withNewSeries().withCount(4).withLastObservedTime(new MicroTime("2026-01-02T03:09:00.000001Z")).endSeries()
                .build();

        Occurrence a = read(core, EventApi.CORE);
        Occurrence b = read(events, EventApi.EVENTS);
        assertThat(a.count()).isEqualTo(4).isEqualTo(b.count());
        assertThat(a.eventId("prod")).isEqualTo(b.eventId("prod")).isNotEqualTo(a.eventId("staging"))
                .isEqualTo(UUID.nameUUIDFromBytes("prod/ev-1/4".getBytes(StandardCharsets.UTF_8)));
        assertThat(a.eventId("préprod-東京")).isEqualTo(UUID.nameUUIDFromBytes("préprod-東京/ev-1/4".getBytes(StandardCharsets.UTF_8)));
        assertThat(a.firstSeen()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123456Z")).isEqualTo(b.firstSeen());
        assertThat(a.lastSeen()).isEqualTo(Instant.parse("2026-01-02T03:09:00.000001Z")).isEqualTo(b.lastSeen());
        assertThat(a.source()).isEqualTo("default-scheduler").isEqualTo(b.source());

        var event = KubeEventWriterTest.decode(new KubeEventWriter("prod").write(a, new InvolvedObjects.Metadata("pod-uid", Map.of("app", "cart"), Map.of())));
        assertThat(event.getApiGroup()).isEqualTo("v1");
        assertThat(event.getInvolvedUid()).isEqualTo("pod-uid");
        assertThat(event.getMessage()).isEqualTo("0/3 nodes");
        assertThat(KubeEventWriterTest.decode(new KubeEventWriter("prod").write(b, InvolvedObjects.Metadata.NONE)).getApiGroup()).isEqualTo("events.k8s.io/v1");
    }

    @Test
    void aLegacyEventCountsItsRepeatsAndAnEventWithoutCountIsOneOccurrence() throws IOException {
        var repeated = new EventBuilder().withNewMetadata().withUid("ev-2").endMetadata().withInvolvedObject(pod)
                .withCount(7).withFirstTimestamp("2026-01-02T03:04:05Z").withLastTimestamp("2026-01-02T04:00:00Z")
                .withNewSource().withComponent("kubelet").withHost("node-1").endSource().build();
        Occurrence o = read(repeated, EventApi.CORE);
        assertThat(o.count()).isEqualTo(7);
        assertThat(o.lastSeen()).isEqualTo(Instant.parse("2026-01-02T04:00:00Z"));
        assertThat(o.sourceHost()).isEqualTo("node-1");
        var once = new EventBuilder().withNewMetadata().withUid("ev-3").withCreationTimestamp("2026-01-02T03:04:05Z").endMetadata().build();
        assertThat(read(once, EventApi.CORE).count()).isEqualTo(1);
        assertThat(read(once, EventApi.CORE).lastSeen()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(read(once, EventApi.CORE).key(InvolvedObjects.Metadata.NONE)).isEqualTo("unknown/ev-3");
    }

    @Test
    void timesAreReadInEveryFormTheApiWritesThem() {
        assertThat(Occurrence.time("2026-01-02T03:04:05Z")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(Occurrence.time("2026-01-02T03:04:05.5Z")).isEqualTo(Instant.parse("2026-01-02T03:04:05.500Z"));
        assertThat(Occurrence.time("2026-01-02T03:04:05.123456789Z")).isEqualTo(Instant.parse("2026-01-02T03:04:05.123456789Z"));
        assertThat(Occurrence.time("2026-01-02T05:04:05+02:00")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(Occurrence.time("2026-02-30T03:04:05Z")).isNull();
        assertThat(Occurrence.time("yesterday")).isNull();
        assertThat(Occurrence.time("")).isNull();
    }

    static Occurrence read(HasMetadata event, EventApi api) throws IOException {
        return Occurrence.of(EventJson.object(JSON.asJson(event)), api);
    }
}
