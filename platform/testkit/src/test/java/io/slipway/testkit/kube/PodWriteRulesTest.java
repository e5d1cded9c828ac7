package io.slipway.testkit.kube;

import static io.slipway.testkit.kube.KubeHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.testkit.kube.KubeHttp.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A pod is defaulted, validated and held to its immutable spec by the simulated API server, as by a real one. */
class PodWriteRulesTest {
    private static final String PODS = "/api/v1/namespaces/team-a/pods";

    private SimulatedCluster cluster;
    private KubeHttp http;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start();
        http = new KubeHttp(cluster);
    }

    @AfterEach
    void stop() {
        http.close();
        cluster.close();
    }

    private static ObjectNode pod(String name, String containers) {
        return json("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"web\"}},"
                + "\"spec\":{\"containers\":" + containers + "}}");
    }

    private JsonNode created(String name) {
        Answer answer = http.post(PODS, pod(name, "[{\"name\":\"app\",\"image\":\"registry.local/app:1\"},"
                + "{\"name\":\"sidecar\",\"image\":\"registry.local/proxy\"},{\"name\":\"tools\",\"image\":\"registry.local/tools:latest\"}]"));
        assertThat(answer.code()).as("%s", answer.body()).isEqualTo(201);
        return answer.body();
    }

    @Test
    void aNewPodGetsTheApiServersDefaultsAndAPendingStatusWhateverTheClientSent() {
        ObjectNode withStatus = pod("web-0", "[{\"name\":\"app\",\"image\":\"registry.local/app:1\",\"ports\":[{\"containerPort\":80}]},"
                + "{\"name\":\"sidecar\",\"image\":\"registry.local/proxy\"}]");
        withStatus.putObject("status").put("phase", "Running");
        JsonNode pod = http.post(PODS, withStatus).body();

        JsonNode spec = pod.path("spec");
        assertThat(spec.path("restartPolicy").asText()).isEqualTo("Always");
        assertThat(spec.path("terminationGracePeriodSeconds").asInt()).isEqualTo(30);
        assertThat(spec.path("dnsPolicy").asText()).isEqualTo("ClusterFirst");
        assertThat(spec.path("schedulerName").asText()).isEqualTo("default-scheduler");
        assertThat(spec.path("containers").get(0).path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(spec.path("containers").get(1).path("imagePullPolicy").asText()).as("untagged means :latest").isEqualTo("Always");
        assertThat(spec.path("containers").get(0).path("terminationMessagePath").asText()).isEqualTo("/dev/termination-log");
        assertThat(spec.path("containers").get(0).path("ports").get(0).path("protocol").asText()).isEqualTo("TCP");
        assertThat(pod.path("status").path("phase").asText()).isEqualTo("Pending");
        assertThat(pod.path("status").path("qosClass").asText()).isEqualTo("BestEffort");
        assertThat(http.get(PODS + "/web-0").body()).isEqualTo(pod);
    }

    @Test
    void aPodNamedByGenerateNameGetsFiveRandomCharactersAfterThePrefix() {
        ObjectNode pod = pod("", "[{\"name\":\"app\",\"image\":\"registry.local/app:1\"}]");
        ((ObjectNode) pod.get("metadata")).remove("name");
        ((ObjectNode) pod.get("metadata")).put("generateName", "job-");
        String name = http.post(PODS, pod).body().path("metadata").path("name").asText();
        assertThat(name).matches("job-[bcdfghjklmnpqrstvwxz2456789]{5}");
    }

    @Test
    void duplicateContainerNamesAndMissingImagesAreInvalid() {
        Answer duplicate = http.post(PODS, pod("web-0", "[{\"name\":\"app\",\"image\":\"a:1\"},{\"name\":\"app\",\"image\":\"b:1\"}]"));
        assertThat(duplicate.code()).isEqualTo(422);
        assertThat(duplicate.reason()).isEqualTo("Invalid");
        assertThat(duplicate.message()).isEqualTo("Pod \"web-0\" is invalid: spec.containers[1].name: Duplicate value: \"app\"");
        assertThat(duplicate.body().path("details").path("causes").get(0).path("field").asText()).isEqualTo("spec.containers[1].name");

        Answer noImage = http.post(PODS, pod("web-1", "[{\"name\":\"app\"}]"));
        assertThat(noImage.code()).isEqualTo(422);
        assertThat(noImage.message()).isEqualTo("Pod \"web-1\" is invalid: spec.containers[0].image: Required value");
        assertThat(http.get(PODS + "/web-1").code()).isEqualTo(404);
    }

    @Test
    void anUpdateMayChangeImagesMetadataAndAddTolerationsButNoOtherSpecField() {
        ObjectNode pod = (ObjectNode) created("web-0");
        ObjectNode spec = (ObjectNode) pod.get("spec");
        ((ObjectNode) spec.get("containers").get(0)).put("image", "registry.local/app:2");
        spec.putArray("tolerations").addObject().put("key", "dedicated").put("operator", "Exists");
        spec.put("activeDeadlineSeconds", 600);
        ObjectNode metadata = (ObjectNode) pod.get("metadata");
        metadata.with("labels").put("version", "2");
        metadata.putObject("annotations").put("note", "in-place");
        metadata.putArray("finalizers").add("example.com/hold");
        Answer updated = http.put(PODS + "/web-0", pod);
        assertThat(updated.code()).as("%s", updated.body()).isEqualTo(200);
        assertThat(updated.body().path("spec").path("containers").get(0).path("image").asText()).isEqualTo("registry.local/app:2");
        assertThat(updated.body().path("metadata").path("generation").asInt()).isEqualTo(2);

        ObjectNode changed = (ObjectNode) updated.body().deepCopy();
        ((ObjectNode) changed.get("spec").get("containers").get(0)).putArray("args").add("--verbose");
        Answer refused = http.put(PODS + "/web-0", changed);
        assertThat(refused.code()).isEqualTo(422);
        assertThat(refused.reason()).isEqualTo("Invalid");
        assertThat(refused.message()).isEqualTo("Pod \"web-0\" is invalid: spec: Forbidden: " + PodStrategy.IMMUTABLE_SPEC);

        Answer removedToleration = http.patch(PODS + "/web-0", KubeHttp.JSON_PATCH, "[{\"op\":\"remove\",\"path\":\"/spec/tolerations/0\"}]");
        assertThat(removedToleration.code()).isEqualTo(422);
        assertThat(removedToleration.message()).contains("spec.tolerations: Forbidden: existing toleration can not be modified");

        Answer merged = http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"spec\":{\"restartPolicy\":\"Never\"}}");
        assertThat(merged.code()).isEqualTo(422);
        assertThat(merged.message()).endsWith(PodStrategy.IMMUTABLE_SPEC);
    }

    @Test
    void aBoundPodCannotBeMovedByAnUpdateOfItsNodeName() {
        ObjectNode bound = pod("web-0", "[{\"name\":\"app\",\"image\":\"registry.local/app:1\"}]");
        ((ObjectNode) bound.get("spec")).put("nodeName", "node-1");
        http.post(PODS, bound);
        Answer moved = http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"spec\":{\"nodeName\":\"node-2\"}}");
        assertThat(moved.code()).isEqualTo(422);
        assertThat(moved.message()).isEqualTo("Pod \"web-0\" is invalid: spec: Forbidden: " + PodStrategy.IMMUTABLE_SPEC);
        assertThat(http.get(PODS + "/web-0").body().path("spec").path("nodeName").asText()).isEqualTo("node-1");
    }

    @Test
    void aWriteToThePodLeavesItsStatusAndAWriteToItsStatusLeavesTheRest() {
        ObjectNode pod = (ObjectNode) created("web-0");
        pod.with("status").put("phase", "Running");
        pod.with("metadata").with("labels").put("seen", "yes");
        Answer updated = http.put(PODS + "/web-0", pod);
        assertThat(updated.body().path("status").path("phase").asText()).isEqualTo("Pending");
        assertThat(updated.body().path("metadata").path("labels").path("seen").asText()).isEqualTo("yes");
        assertThat(updated.body().path("metadata").path("generation").asInt()).as("no spec change").isEqualTo(1);

        ObjectNode status = (ObjectNode) updated.body().deepCopy();
        status.with("status").put("phase", "Running");
        ((ObjectNode) status.get("spec").get("containers").get(0)).put("image", "registry.local/app:9");
        Answer written = http.put(PODS + "/web-0/status", status);
        assertThat(written.code()).isEqualTo(200);
        assertThat(written.body().path("status").path("phase").asText()).isEqualTo("Running");
        assertThat(written.body().path("spec").path("containers").get(0).path("image").asText()).isEqualTo("registry.local/app:1");
    }
}
