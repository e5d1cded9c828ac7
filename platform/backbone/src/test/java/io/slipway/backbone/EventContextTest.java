package io.slipway.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.backbone.consume.ConsumedEvent;
import org.junit.jupiter.api.Test;

class EventContextTest {
    static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aRequestKeepsAValidTraceparentAndStartsANewCorrelation() {
        EventContext kept = EventContext.newRequest(TRACE);
        assertThat(kept.traceparent()).isEqualTo(TRACE);
        assertThat(kept.causationId()).isNull();
        assertThat(kept.correlationId()).isNotEqualTo(EventContext.newRequest(TRACE).correlationId());

        EventContext fresh = EventContext.newRequest("not-a-trace");
        assertThat(fresh.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }

    @Test
    void workCausedByAnEventKeepsItsCorrelationAndTraceAndNamesItAsCause() {
        ConsumedEvent cause = new ConsumedEvent("slipway.build.events", 0, 7, "b-1", "evt-1", "BuildRequested", "corr-1", null, TRACE,
                new byte[0]);
        EventContext next = EventContext.causedBy(cause);
        assertThat(next.correlationId()).isEqualTo("corr-1");
        assertThat(next.causationId()).isEqualTo("evt-1");
        assertThat(next.traceparent()).isEqualTo(TRACE);

        ConsumedEvent uncorrelated = new ConsumedEvent("t", 0, 0, "k", "evt-2", "X", null, null, TRACE, new byte[0]);
        assertThat(EventContext.causedBy(uncorrelated).correlationId()).isEqualTo("evt-2");
    }
}
