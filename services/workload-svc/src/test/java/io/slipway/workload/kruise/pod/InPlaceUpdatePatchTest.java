package io.slipway.workload.kruise.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-place update written as a JSON patch: it yields what {@link InPlaceUpdate#apply} builds, and only from the pod it was planned on. */
class InPlaceUpdatePatchTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    private static Pod pod() {
        return Serialization.unmarshal("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web-0
                  namespace: default
                  uid: u-1
                  resourceVersion: "7"
                  labels: {app: web, controller-revision-hash: web-1, statefulset.kubernetes.io/pod-name: web-0}
                spec:
                  containers:
                  - {name: app, image: registry.local/app:1}
                  - {name: side, image: registry.local/side:1}
                status:
                  containerStatuses:
                  - {name: side, image: registry.local/side:1, imageID: "registry.local/side@sha256:bb", containerID: "containerd://s1", ready: true}
                  - {name: app, image: registry.local/app:1, imageID: "registry.local/app@sha256:aa", containerID: "containerd://a1", ready: true}
                """, Pod.class);
    }

    private static PodTemplateSpec template(String appImage, String extraLabel) {
        return Serialization.unmarshal("""
                metadata: {labels: {app: web%s}}
                spec:
                  containers:
                  - {name: app, image: %s}
                  - {name: side, image: registry.local/side:1}
                """.formatted(extraLabel, appImage), PodTemplateSpec.class);
    }

    private static JsonNode json(Object o) {
        return Serialization.jsonMapper().valueToTree(o);
    }

    @Test
    void thePatchMakesThePodWhatApplyBuilds() {
        Pod read = pod();
        var diff = InPlaceUpdate.diff(template("registry.local/app:1", ""), template("registry.local/app:2", ", slipway.io/tier: front"));
        Pod applied = InPlaceUpdate.apply(read, diff, Map.of("controller-revision-hash", "web-2"), "web-2", NOW);

        String patch = InPlaceUpdate.patch(read, applied);

        JsonNode result = JsonPatch.apply(Serialization.unmarshal(patch, JsonNode.class), json(read));
        assertThat(result.path("spec")).isEqualTo(json(applied).path("spec"));
        assertThat(result.path("metadata")).isEqualTo(json(applied).path("metadata"));
        assertThat(patch).doesNotContain("resourceVersion").contains("slipway.io~1tier").doesNotContain("side:2");
    }

    @Test
    void aPodThatChangedSinceItWasReadFailsThePatch() {
        Pod read = pod();
        var diff = InPlaceUpdate.diff(template("registry.local/app:1", ""), template("registry.local/app:2", ""));
        String patch = InPlaceUpdate.patch(read, InPlaceUpdate.apply(read, diff, Map.of("controller-revision-hash", "web-2"), "web-2", NOW));
        JsonNode ops = Serialization.unmarshal(patch, JsonNode.class);

        Pod restarted = pod();
        restarted.getStatus().getContainerStatuses().get(1).setContainerID("containerd://a2");
        Pod otherImage = pod();
        otherImage.getSpec().getContainers().get(0).setImage("registry.local/app:3");
        Pod replaced = pod();
        replaced.getMetadata().setUid("u-2");
        for (Pod changed : new Pod[] {restarted, otherImage, replaced}) {
            assertThatThrownBy(() -> JsonPatch.apply(ops, json(changed))).isInstanceOf(JsonPatchException.class);
        }
        // a status write of the kubelet in between (the pod turned not Ready) does not fail it
        Pod notReady = pod();
        notReady.getStatus().getContainerStatuses().forEach(s -> s.setReady(false));
        notReady.getMetadata().setResourceVersion("8");
        assertThat(JsonPatch.apply(ops, json(notReady)).path("spec").path("containers").path(0).path("image").asText())
                .isEqualTo("registry.local/app:2");
    }

    @Test
    void theGatePatchMakesTheStatusWhatWithGateBuildsAndClosesAGateOnlyOnce() {
        Pod fresh = pod();
        Pod closed = InPlaceUpdate.withGate(fresh, false, "StartInPlaceUpdate", NOW);
        fresh.getStatus().setConditions(new java.util.ArrayList<>(java.util.List.of(new io.fabric8.kubernetes.api.model.PodConditionBuilder()
                .withType("Ready").withStatus("True").build())));
        Pod open = InPlaceUpdate.withGate(fresh, true, "InPlaceUpdateFinished", NOW);

        for (Pod read : java.util.List.of(pod(), fresh, open)) {
            String patch = InPlaceUpdate.gatePatch(read, false, "StartInPlaceUpdate", NOW);
            JsonNode result = JsonPatch.apply(Serialization.unmarshal(patch, JsonNode.class), json(read));
            assertThat(result.path("status")).isEqualTo(json(InPlaceUpdate.withGate(read, false, "StartInPlaceUpdate", NOW)).path("status"));
        }
        JsonNode reopened = JsonPatch.apply(Serialization.unmarshal(InPlaceUpdate.gatePatch(closed, true, "InPlaceUpdateFinished", NOW), JsonNode.class),
                json(closed));
        assertThat(reopened.path("status")).isEqualTo(json(InPlaceUpdate.withGate(closed, true, "InPlaceUpdateFinished", NOW)).path("status"));

        String close = InPlaceUpdate.gatePatch(open, false, "StartInPlaceUpdate", NOW);
        Pod closedMeanwhile = InPlaceUpdate.withGate(open, false, "StartInPlaceUpdate", NOW);
        assertThatThrownBy(() -> JsonPatch.apply(Serialization.unmarshal(close, JsonNode.class), json(closedMeanwhile)))
                .as("a gate someone closed meanwhile is not closed again").isInstanceOf(JsonPatchException.class);
        Pod newer = Serialization.clone(closed);
        newer.getMetadata().setResourceVersion("8");
        String opening = InPlaceUpdate.gatePatch(closed, true, "InPlaceUpdateFinished", NOW);
        assertThatThrownBy(() -> JsonPatch.apply(Serialization.unmarshal(opening, JsonNode.class), json(newer)))
                .as("a gate opens only on the pod the plan judged").isInstanceOf(JsonPatchException.class);
        assertThat(close).doesNotContain("spec").doesNotContain("registry.local");
    }
}
