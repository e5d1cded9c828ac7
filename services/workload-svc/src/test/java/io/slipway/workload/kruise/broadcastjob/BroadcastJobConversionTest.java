package io.slipway.workload.kruise.broadcastjob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class BroadcastJobConversionTest {
    static final String ALPHA = """
            apiVersion: apps.kruise.io/v1alpha1
            kind: BroadcastJob
            metadata: {name: warm, namespace: default, uid: u1, resourceVersion: "7", labels: {team: a}, annotations: {note: x}}
            spec:
              parallelism: 50%
              paused: true
              completionPolicy: {type: Always, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 30}
              failurePolicy: {type: Pause, restartLimit: 2}
              template:
                metadata: {labels: {app: warm}}
                spec:
                  restartPolicy: OnFailure
                  nodeSelector: {role: worker}
                  containers: [{name: main, image: busybox, somethingNew: 1}]
            status:
              conditions: [{type: Complete, status: "True", lastProbeTime: "2026-01-01T12:00:00Z", lastTransitionTime: "2026-01-01T12:00:00Z",
                            reason: Complete, message: "Job completed, 3 pods succeeded, 0 pods failed"}]
              startTime: "2026-01-01T11:59:00Z"
              completionTime: "2026-01-01T12:00:00Z"
              active: 0
              succeeded: 3
              failed: 0
              desired: 3
              phase: completed
            """;

    @Test
    void aV1alpha1JobSurvivesARoundTripThroughV1beta1() {
        BroadcastJobV1alpha1 alpha = Serialization.unmarshal(ALPHA, BroadcastJobV1alpha1.class);

        BroadcastJob beta = BroadcastJobConversion.toV1beta1(alpha);
        BroadcastJobV1alpha1 back = BroadcastJobConversion.toV1alpha1(beta);

        assertThat(beta.getApiVersion()).isEqualTo("apps.kruise.io/v1beta1");
        assertThat(beta.getSpec().failurePolicy.restartLimit).isEqualTo(2);
        assertThat(beta.getStatus().phase).isEqualTo("completed");
        assertThat(Serialization.asJson(back)).isEqualTo(Serialization.asJson(alpha));
    }

    @Test
    void theJsonKeepsEveryFieldItDoesNotKnowAndOnlyItsApiVersionChanges() {
        ObjectNode alpha = Serialization.unmarshal(ALPHA, ObjectNode.class);
        ObjectNode beta = BroadcastJobConversion.to("apps.kruise.io/v1beta1", alpha);

        assertThat(beta.path("apiVersion").asText()).isEqualTo("apps.kruise.io/v1beta1");
        assertThat(beta.path("spec").path("template").path("spec").path("containers").get(0).path("somethingNew").asInt()).isEqualTo(1);
        ObjectNode expected = alpha.deepCopy().put("apiVersion", "apps.kruise.io/v1beta1");
        assertThat(beta).isEqualTo(expected);
        assertThat(BroadcastJobConversion.to("apps.kruise.io/v1alpha1", beta)).isEqualTo(alpha);
        assertThat(alpha.path("apiVersion").asText()).as("the input is left alone").isEqualTo("apps.kruise.io/v1alpha1");
    }

    @Test
    void aVersionNeitherSideHasIsRefused() {
        ObjectNode alpha = Serialization.unmarshal(ALPHA, ObjectNode.class);
        assertThatThrownBy(() -> BroadcastJobConversion.to("apps.kruise.io/v2", alpha)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("BroadcastJob has no version apps.kruise.io/v2 (served: v1alpha1, v1beta1)");
    }
}
