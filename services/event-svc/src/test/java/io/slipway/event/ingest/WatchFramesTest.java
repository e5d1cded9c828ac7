package io.slipway.event.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The streaming reader of watch events: what Kubernetes sends in either API is read, whatever else the objects hold
 * and in whatever order; what is not a watch event is refused as the typed model refused it.
 */
class WatchFramesTest {
    private final WatchFrames core = new WatchFrames(EventApi.CORE);
    private final WatchFrames events = new WatchFrames(EventApi.EVENTS);

    private static final String CORE_EVENT = """
            {"type":"MODIFIED","object":{"kind":"Event","apiVersion":"v1",
              "metadata":{"name":"cart-0.17f","namespace":"shop","uid":"ev-1","resourceVersion":"1042",
                "creationTimestamp":"2026-01-02T03:04:05Z","labels":{"a":"b"},
                "managedFields":[{"manager":"kubelet","operation":"Update","fieldsV1":{"f:count":{},"f:message":{}}}]},
              "involvedObject":{"kind":"Pod","namespace":"shop","name":"cart-0","uid":"pod-uid","apiVersion":"v1",
                "resourceVersion":"77","fieldPath":"spec.containers{app}"},
              "reason":"BackOff","message":"Back-off restarting failed container","source":{"component":"kubelet","host":"node-1"},
              "firstTimestamp":"2026-01-02T03:04:05Z","lastTimestamp":"2026-01-02T03:10:00Z","count":7,"type":"Warning",
              "eventTime":null,"reportingComponent":"kubelet","reportingInstance":"node-1",
              "aFieldOfAFutureVersion":{"nested":[1,2.5,{"x":null}],"flag":true}}}
            """;

    @Test
    void aCoreEventIsReadWithEveryFieldItDoesNotNeedSkipped() throws IOException {
        WatchFrames.Frame frame = core.read(CORE_EVENT);
        assertThat(frame.type()).isEqualTo("MODIFIED");
        assertThat(frame.hasObject()).isTrue();
        assertThat(frame.resourceVersion()).isEqualTo("1042");
        Occurrence o = frame.occurrence();
        assertThat(o).isEqualTo(new Occurrence(EventApi.CORE, "ev-1", "shop", "Warning", "BackOff", "Back-off restarting failed container", 7,
                new Occurrence.Involved("v1", "Pod", "shop", "cart-0", "pod-uid"), Instant.parse("2026-01-02T03:04:05Z"),
                Instant.parse("2026-01-02T03:10:00Z"), "kubelet", "node-1", "1042"));
    }

    @Test
    void anEventsApiEventIsReadWithItsOwnFieldNames() throws IOException {
        WatchFrames.Frame frame = events.read("""
                {"object":{"kind":"Event","apiVersion":"events.k8s.io/v1",
                  "metadata":{"name":"web.1","namespace":"shop","uid":"ev-2","resourceVersion":"9","creationTimestamp":"2026-01-02T03:04:05Z"},
                  "eventTime":"2026-01-02T03:04:05.123456Z","series":{"count":"4","lastObservedTime":"2026-01-02T03:09:00.000001Z"},
                  "reportingController":"default-scheduler","reportingInstance":"default-scheduler-node-1","action":"Scheduling",
                  "reason":"FailedScheduling","regarding":{"kind":"Pod","namespace":"shop","name":"web-0","uid":"pod-2","apiVersion":"v1"},
                  "related":{"kind":"Node","name":"node-1"},"note":"0/3 nodes are available","type":"Warning",
                  "deprecatedSource":{"component":"ignored-when-reportingController-is-set"},"deprecatedCount":2},
                 "type":"ADDED"}
                """);
        assertThat(frame.type()).isEqualTo("ADDED");
        Occurrence o = frame.occurrence();
        assertThat(o.api()).isEqualTo(EventApi.EVENTS);
        assertThat(o.count()).isEqualTo(4);
        assertThat(o.message()).isEqualTo("0/3 nodes are available");
        assertThat(o.involved()).isEqualTo(new Occurrence.Involved("v1", "Pod", "shop", "web-0", "pod-2"));
        assertThat(o.firstSeen()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123456Z"));
        assertThat(o.lastSeen()).isEqualTo(Instant.parse("2026-01-02T03:09:00.000001Z"));
        assertThat(o.source()).isEqualTo("default-scheduler");
        assertThat(o.sourceHost()).isEqualTo("default-scheduler-node-1");
        // the other API's names mean nothing here: core's "message" is not the events API's note
        assertThat(core.read(CORE_EVENT.replace("\"message\"", "\"note\"")).occurrence().message()).isNull();
    }

    @Test
    void positionsCarryTheirResourceVersionAndNoOccurrence() throws IOException {
        WatchFrames.Frame bookmark = core.read("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Event\",\"apiVersion\":\"v1\","
                + "\"metadata\":{\"resourceVersion\":\"5000\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}");
        assertThat(bookmark.hasObject()).isTrue();
        assertThat(bookmark.resourceVersion()).isEqualTo("5000");
        assertThat(bookmark.occurrence()).isNull();
        WatchFrames.Frame deleted = core.read(CORE_EVENT.replace("MODIFIED", "DELETED"));
        assertThat(deleted.resourceVersion()).isEqualTo("1042");
        assertThat(deleted.occurrence()).isNull();
        assertThat(core.read("{\"type\":\"ADDED\"}").hasObject()).isFalse();
        assertThat(core.read("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Event\"}}").hasObject()).isFalse();
    }

    @Test
    void anErrorCarriesItsStatus() throws IOException {
        WatchFrames.Frame gone = core.read("""
                {"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"too old resource version: 5 (1042)","reason":"Expired","code":410}}""");
        assertThat(gone.failure().gone()).isTrue();
        assertThat(gone.failure().message()).isEqualTo("too old resource version: 5 (1042)");
        WatchFrames.Frame other = core.read("""
                {"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"internal error","reason":"InternalError","code":500}}""");
        assertThat(other.failure().gone()).isFalse();
        assertThat(other.failure()).hasToString("500 InternalError internal error");
    }

    @Test
    void whatIsNotAWatchEventIsUnreadable() {
        assertThatThrownBy(() -> core.read("not json")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> core.read("[1, 2]")).isInstanceOf(IOException.class).hasMessageContaining("watch event object");
        assertThatThrownBy(() -> core.read("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"uid\":\"x\"")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> core.read(CORE_EVENT.replace("\"count\":7", "\"count\":\"seven\"")))
                .isInstanceOf(IOException.class).hasMessageContaining("'count'");
        assertThatThrownBy(() -> core.read(CORE_EVENT.replace("\"reason\":\"BackOff\"", "\"reason\":{\"text\":\"BackOff\"}")))
                .isInstanceOf(IOException.class).hasMessageContaining("'reason'");
        assertThatThrownBy(() -> core.read(CORE_EVENT.replace("\"source\":{", "\"source\":[{").replace("\"node-1\"},", "\"node-1\"}],")))
                .isInstanceOf(IOException.class).hasMessageContaining("'source'");
        assertThatThrownBy(() -> core.read("{\"type\":\"ADDED\",\"object\":\"an object\"}")).isInstanceOf(IOException.class);
    }
}
