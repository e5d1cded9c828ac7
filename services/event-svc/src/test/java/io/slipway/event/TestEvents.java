package io.slipway.event;

import io.slipway.events.kube.KubeEvent;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Kubernetes events as the ingest publishes them, with plain defaults a test overrides where it matters. */
public final class TestEvents {
    private TestEvents() {
    }

    /** A Warning about Pod default/web-1. */
    public static KubeEvent.Builder warning(String reason) {
        return event("Warning", reason);
    }

    public static KubeEvent.Builder normal(String reason) {
        return event("Normal", reason);
    }

    public static KubeEvent.Builder event(String type, String reason) {
        Instant now = Instant.now();
        return KubeEvent.newBuilder()
                .setUid(UUID.randomUUID().toString())
                .setCluster("test")
                .setNamespace("default")
                .setType(type)
                .setReason(reason)
                .setMessage(reason + " happened")
                .setCount(1)
                .setInvolvedKind("Pod")
                .setInvolvedName("web-1")
                .setInvolvedUid(UUID.randomUUID().toString())
                .setInvolvedLabels(Map.of())
                .setInvolvedAnnotations(Map.of())
                .setFirstSeen(now)
                .setLastSeen(now);
    }
}
