package io.slipway.cli.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.slipway.cli.api.PlatformClient;
import io.slipway.workload.progress.WorkloadProgress;
import io.slipway.workload.progress.WorkloadProgress.PodProgress;
import java.util.List;

/**
 * Views of the StatefulSet default/web as workload-svc serialises them: built with workload-svc's own
 * {@link WorkloadProgress} record (a test-scoped dependency of the CLI) and written by Jackson, as quarkus-rest-jackson
 * writes it with workload-svc's default settings. A change of the record's shape breaks these tests at compile time.
 */
final class Views {
    static final String CURRENT = "web-5c6b8d";
    static final String UPDATE = "web-7d9f4a";

    private Views() {
    }

    static String statefulSet(String phase, String message, int ready, int updated, int updatedReady, boolean settled, PodProgress... pods) {
        return json(new WorkloadProgress("StatefulSet", "default", "web", 5, 5, phase, message, pods.length, ready, updated, updatedReady,
                CURRENT, UPDATE, List.of(pods), settled));
    }

    static PodProgress pod(int ordinal, boolean updated, boolean ready, boolean inPlace, int restarts) {
        return new PodProgress("web-" + ordinal, "uid-" + ordinal, "node-" + ordinal, updated ? UPDATE : CURRENT, updated, ready, inPlace,
                restarts);
    }

    static String json(Object view) {
        try {
            return PlatformClient.mapper().writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
