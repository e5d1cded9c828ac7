package io.slipway.testkit.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.events.build.BuildRequested;
import io.slipway.events.build.BuildStarted;
import io.slipway.events.build.BuildSucceeded;
import io.slipway.events.event.RoutesChanged;
import io.slipway.schemas.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Each rule of the integrity check finds what it is there for. The records are built here, as the relay writes them
 * (value, key, eventId, eventType and outboxPosition headers); reading them from a topic is TopicAudit's, which the
 * chaos suite and the stack test run the check through.
 */
class EventIntegrityTest {
    private static final String TOPIC = "slipway.build.events";
    private static final EventCodec CODEC = EventCodec.released();

    private static final Set<String> BUILD_STATES = Set.of("BuildRequested", "BuildStarted", "BuildSucceeded", "BuildFailed");

    private long offset;

    @Test
    void aWholeBuildLifecycleInStreamOrderHasNoFinding() {
        EventIntegrity check = new EventIntegrity().expectLast(TOPIC, "b1", BUILD_STATES, Set.of("BuildSucceeded"));
        check.accept(record("b1", requested("b1"), UUID.randomUUID(), "0/10:0/A"));
        check.accept(record("b1", started("b1"), UUID.randomUUID(), "0/20:0/1A"));
        check.accept(record("b1", succeeded("b1"), UUID.randomUUID(), "0/30:0/2A"));

        EventIntegrity.Report report = checked(check);
        assertThat(report.findings()).isEmpty();
        assertThat(report.countsByTopicAndType()).isEqualTo(Map.of(TOPIC, Map.of("BuildRequested", 1, "BuildStarted", 1, "BuildSucceeded", 1)));
        assertThat(report.text()).contains("BuildSucceeded").contains("3 records, 0 finding(s)");
    }

    @Test
    void anEventIdPublishedTwiceIsFound() {
        EventIntegrity check = new EventIntegrity();
        UUID id = UUID.randomUUID();
        check.accept(record("b1", requested("b1"), id, "0/10:0/A"));
        check.accept(record("b1", started("b1"), id, "0/20:0/1A"));

        assertThat(checked(check).findings()).singleElement().asString().contains("event id " + id + " already at " + TOPIC + "/0@0");
    }

    @Test
    void aCommandSentAgainWithItsIdIsNoFindingButOneThatDoesNotDecodeIs() {
        EventIntegrity check = new EventIntegrity();
        UUID id = UUID.randomUUID();
        byte[] value = CODEC.encode(requested("b1"));
        check.accept(record("slipway.build.requests", "b1", value, "BuildRequested", id, null));
        check.accept(record("slipway.build.requests", "b1", value, "BuildRequested", id, null));
        check.accept(record("slipway.build.requests", "b2", new byte[] {1, 2, 3}, "RequestBuild", UUID.randomUUID(), null));

        EventIntegrity.Report report = checked(check);
        assertThat(report.findings()).singleElement().asString().contains("slipway.build.requests/0@2 (RequestBuild) does not decode");
        assertThat(report.countsByTopicAndType()).isEqualTo(Map.of("slipway.build.requests", Map.of("BuildRequested", 2)));
    }

    @Test
    void anAggregatesEventStandingBeforeTheOneAheadOfItIsFound() {
        EventIntegrity check = new EventIntegrity();
        check.accept(record("b1", requested("b1"), UUID.randomUUID(), "0/20:0/1A"));
        check.accept(record("b1", started("b1"), UUID.randomUUID(), "0/10:0/A"));

        assertThat(checked(check).findings()).singleElement().asString().contains("not after the one before it");
    }

    @Test
    void aValueTheReleasedSchemasCannotReadIsFound() {
        EventIntegrity check = new EventIntegrity();
        check.accept(record("b1", "not avro".getBytes(StandardCharsets.UTF_8), "BuildRequested", UUID.randomUUID(), null));

        assertThat(checked(check).findings()).singleElement().asString().contains("does not decode with the released schemas");
    }

    @Test
    void aHeaderNamingAnotherTypeThanTheValueIsFound() {
        EventIntegrity check = new EventIntegrity();
        check.accept(record("b1", CODEC.encode(requested("b1")), "BuildStarted", UUID.randomUUID(), null));

        assertThat(checked(check).findings()).singleElement().asString().contains("header eventType BuildStarted but the value is a BuildRequested");
    }

    @Test
    void aLifecycleThatDoesNotStartWithItsRequestOrGoesOnAfterItsEndIsFound() {
        EventIntegrity check = new EventIntegrity();
        check.accept(record("b1", started("b1"), UUID.randomUUID(), null));
        check.accept(record("b2", requested("b2"), UUID.randomUUID(), null));
        check.accept(record("b2", succeeded("b2"), UUID.randomUUID(), null));
        check.accept(record("b2", started("b2"), UUID.randomUUID(), null));

        assertThat(checked(check).findings()).hasSize(2)
                .anySatisfy(f -> assertThat(f).contains("slipway.build.events b1 starts with BuildStarted"))
                .anySatisfy(f -> assertThat(f).contains("BuildStarted of slipway.build.events b2 after its terminal BuildSucceeded"));
    }

    @Test
    void aReadModelStateWhoseEventIsMissingIsFound() {
        EventIntegrity check = new EventIntegrity()
                .expectLast(TOPIC, "b1", BUILD_STATES, Set.of("BuildSucceeded"))
                .expectLast(TOPIC, "b2", BUILD_STATES, Set.of("BuildRequested"));
        check.accept(record("b1", requested("b1"), UUID.randomUUID(), null));
        check.accept(record("b1", started("b1"), UUID.randomUUID(), null));

        assertThat(checked(check).findings()).hasSize(2)
                .anySatisfy(f -> assertThat(f).contains("b1: the read model says [BuildSucceeded], its last event is BuildStarted"))
                .anySatisfy(f -> assertThat(f).contains("b2: the read model has it, but none of its events"));
    }

    @Test
    void aRoutingVersionWithoutItsEventOrPublishedTwiceIsFound() {
        EventIntegrity check = new EventIntegrity();
        for (long version : new long[] {4, 5, 7, 7}) {
            check.accept(record("slipway.event.events", "routes", CODEC.encode(routesChanged(version)), "RoutesChanged", UUID.randomUUID(), null));
        }

        assertThat(checked(check).findings()).hasSize(2)
                .anySatisfy(f -> assertThat(f).contains("slipway.event.events routes RoutesChanged of version 7 follows version 5"))
                .anySatisfy(f -> assertThat(f).contains("RoutesChanged of version 7 follows version 7"));
    }

    private static RoutesChanged routesChanged(long version) {
        return RoutesChanged.newBuilder().setVersion(version).setDigest("0".repeat(64)).setChangedBy("ops").setChangedAt(Instant.EPOCH)
                .setReceivers(List.of("oncall")).build();
    }

    /** The check's end without a broker: no topic to read, only what {@link EventIntegrity#accept} took. */
    private static EventIntegrity.Report checked(EventIntegrity check) {
        return check.check("unused:9092", List.of());
    }

    private ConsumerRecord<String, byte[]> record(String key, SpecificRecord event, UUID id, String position) {
        return record(key, CODEC.encode(event), event.getSchema().getName(), id, position);
    }

    private ConsumerRecord<String, byte[]> record(String key, byte[] value, String type, UUID id, String position) {
        return record(TOPIC, key, value, type, id, position);
    }

    private ConsumerRecord<String, byte[]> record(String topic, String key, byte[] value, String type, UUID id, String position) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("eventId", id.toString().getBytes(StandardCharsets.UTF_8));
        headers.add("eventType", type.getBytes(StandardCharsets.UTF_8));
        if (position != null) {
            headers.add("outboxPosition", ("build-slot@test " + position).getBytes(StandardCharsets.US_ASCII));
        }
        return new ConsumerRecord<>(topic, 0, offset++, 0L, TimestampType.CREATE_TIME, -1, value.length, key, value, headers, java.util.Optional.empty());
    }

    private static BuildRequested requested(String id) {
        return BuildRequested.newBuilder().setBuildId(id).setImage("app:v1").setKubefile("FROM scratch").setContext(null)
                .setPlatforms(List.of("linux/amd64")).setBuildArgs(Map.of()).setRequestedBy("ci").setRequestedAt(Instant.EPOCH).build();
    }

    private static BuildStarted started(String id) {
        return BuildStarted.newBuilder().setBuildId(id).setWorker("w1").setStartedAt(Instant.EPOCH).build();
    }

    private static BuildSucceeded succeeded(String id) {
        return BuildSucceeded.newBuilder().setBuildId(id).setImage("app:v1").setDigest("sha256:00").setLayers(1).setCachedLayers(0)
                .setFinishedAt(Instant.EPOCH).build();
    }
}
