package io.slipway.workload.kruise.sidecarset;

import static io.slipway.workload.kruise.sidecarset.SidecarSets.pod;
import static io.slipway.workload.kruise.sidecarset.SidecarSets.sidecarSet;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarInjectionTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final SidecarSet MESH = sidecarSet("""
            apiVersion: apps.kruise.io/v1beta1
            kind: SidecarSet
            metadata: {name: mesh}
            spec:
              selector: {matchLabels: {app: web}}
              containers:
              - {name: proxy, image: envoy:1, volumeMounts: [{name: mesh-certs, mountPath: /certs}]}
              - {name: log, image: fluent:1, podInjectPolicy: AfterAppContainer}
              initContainers:
              - {name: z-init, image: init:1}
              - {name: a-init, image: init:1}
              volumes:
              - {name: mesh-certs, emptyDir: {}}
              - {name: unused, emptyDir: {}}
              imagePullSecrets: [{name: mesh-pull}]
            """);
    static final Pod WEB = pod("""
            metadata: {name: web-0, namespace: shop, labels: {app: web}}
            spec:
              initContainers: [{name: setup, image: setup:1}]
              containers: [{name: main, image: web:1}]
            """);

    static Map<String, String> noLabels() {
        return Map.of();
    }

    @Test
    void beforeAppContainersComeFirstAndAfterAppContainersLast() {
        var out = SidecarInjection.inject(WEB, "shop", noLabels(), List.of(MESH), NOW);

        assertThat(out.allowed()).isTrue();
        assertThat(out.sidecarSets()).containsExactly("mesh");
        Pod pod = out.pod();
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("proxy", "main", "log");
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("setup", "a-init", "z-init");
        assertThat(pod.getSpec().getContainers().get(0).getEnv()).containsExactly(new EnvVar("IS_INJECTED", "true", null));
        assertThat(pod.getSpec().getContainers().get(1).getEnv()).isNullOrEmpty();
        assertThat(pod.getSpec().getImagePullSecrets()).extracting("name").containsExactly("mesh-pull");
        assertThat(pod.getSpec().getReadinessGates()).extracting(PodReadinessGate::getConditionType).containsExactly("InPlaceUpdateReady");
        assertThat(WEB.getSpec().getContainers()).hasSize(1);
    }

    @Test
    void thePodRecordsTheRevisionItRunsInKruisesAnnotations() throws Exception {
        Pod pod = SidecarInjection.inject(WEB, "shop", noLabels(), List.of(MESH), NOW).pod();

        SidecarRevision revision = SidecarRevision.of(MESH);
        JsonNode hash = Serialization.jsonMapper().readTree(pod.getMetadata().getAnnotations().get("kruise.io/sidecarset-hash"));
        assertThat(hash.path("mesh").path("hash").asText()).isEqualTo(revision.hash());
        assertThat(hash.path("mesh").path("sidecarSetName").asText()).isEqualTo("mesh");
        assertThat(hash.path("mesh").path("controllerRevision").asText()).isEqualTo("mesh-" + revision.hash());
        assertThat(hash.path("mesh").path("sidecarList").toString()).isEqualTo("[\"log\",\"proxy\"]");
        assertThat(hash.path("mesh").path("updateTimestamp").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(PodSidecars.hashWithoutImage(pod, "mesh")).isEqualTo(revision.hashWithoutImage());
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("kruise.io/sidecarset-injected-list", "mesh");
        assertThat(PodSidecars.hash(pod, "mesh")).isEqualTo(revision.hash());
    }

    @Test
    void onlyTheVolumesTheSidecarsMountAreInjectedAndThePodsOwnVolumeWins() {
        Pod own = Serialization.clone(WEB);
        own.getSpec().setVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("mesh-certs")
                .withNewSecret().withSecretName("mine").endSecret().build()));

        assertThat(SidecarInjection.inject(WEB, "shop", noLabels(), List.of(MESH), NOW).pod().getSpec().getVolumes())
                .extracting(Volume::getName).containsExactly("mesh-certs");
        Pod pod = SidecarInjection.inject(own, "shop", noLabels(), List.of(MESH), NOW).pod();
        assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("mine"));
    }

    @Test
    void aPodTheSelectorDoesNotSelectOrAPausedInjectionIsLeftAlone() {
        Pod api = Serialization.clone(WEB);
        api.getMetadata().setLabels(Map.of("app", "api"));
        SidecarSet paused = Serialization.clone(MESH);
        paused.getSpec().injectionStrategy = new SidecarSetSpecFields.InjectionStrategy();
        paused.getSpec().injectionStrategy.paused = true;
        SidecarSet empty = Serialization.clone(MESH);
        empty.getSpec().selector = new io.fabric8.kubernetes.api.model.LabelSelector();

        assertThat(SidecarInjection.inject(api, "shop", noLabels(), List.of(MESH), NOW).changed()).isFalse();
        assertThat(SidecarInjection.inject(WEB, "shop", noLabels(), List.of(paused), NOW).changed()).isFalse();
        assertThat(SidecarInjection.inject(WEB, "shop", noLabels(), List.of(empty), NOW).changed()).isFalse();
    }

    @Test
    void theNamespaceSelectorReadsTheNamespacesLabelsAndItsName() {
        SidecarSet prod = Serialization.clone(MESH);
        prod.getSpec().namespaceSelector = Serialization.unmarshal("matchLabels: {env: prod}", io.fabric8.kubernetes.api.model.LabelSelector.class);
        SidecarSet shopOnly = Serialization.clone(MESH);
        shopOnly.getSpec().namespaceSelector = Serialization.unmarshal("matchLabels: {kubernetes.io/metadata.name: shop}",
                io.fabric8.kubernetes.api.model.LabelSelector.class);

        assertThat(SidecarInjection.inject(WEB, "shop", Map.of("env", "prod"), List.of(prod), NOW).changed()).isTrue();
        assertThat(SidecarInjection.inject(WEB, "shop", Map.of("env", "dev"), List.of(prod), NOW).changed()).isFalse();
        assertThat(SidecarInjection.inject(WEB, "shop", noLabels(), List.of(shopOnly), NOW).changed()).isTrue();
        assertThat(SidecarInjection.inject(WEB, "other", noLabels(), List.of(shopOnly), NOW).changed()).isFalse();
    }

    @Test
    void twoSidecarSetsInjectingOneContainerNameRefuseThePod() {
        SidecarSet other = sidecarSet("""
                metadata: {name: other-mesh}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: linkerd:2}]
                """);

        var out = SidecarInjection.inject(WEB, "shop", noLabels(), List.of(MESH, other), NOW);

        assertThat(out.allowed()).isFalse();
        assertThat(out.refusal()).contains("shop/web-0").contains("mesh").contains("other-mesh").contains("\"proxy\"");
    }

    @Test
    void twoSidecarSetsAreBothRecorded() {
        SidecarSet logs = sidecarSet("""
                metadata: {name: logs}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: shipper, image: vector:1, podInjectPolicy: AfterAppContainer}]
                """);

        Pod pod = SidecarInjection.inject(WEB, "shop", noLabels(), List.of(MESH, logs), NOW).pod();

        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("proxy", "main", "shipper", "log");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("kruise.io/sidecarset-injected-list", "logs,mesh");
        assertThat(PodSidecars.hash(pod, "logs")).isEqualTo(SidecarRevision.of(logs).hash());
        assertThat(PodSidecars.hash(pod, "mesh")).isEqualTo(SidecarRevision.of(MESH).hash());
    }

    @Test
    void transferEnvAndSharedVolumesComeFromTheAppContainers() {
        SidecarSet set = sidecarSet("""
                metadata: {name: agent}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers:
                  - name: agent
                    image: agent:1
                    env: [{name: REGION, value: mine}]
                    shareVolumePolicy: {type: enabled}
                    transferEnv:
                    - {sourceContainerName: main, envName: REGION}
                    - {sourceContainerNameFrom: {fieldRef: {fieldPath: "metadata.labels['primary']"}}, envNames: [TOKEN]}
                """);
        Pod web = pod("""
                metadata: {name: web-0, namespace: shop, labels: {app: web, primary: main}}
                spec:
                  containers:
                  - name: main
                    image: web:1
                    env: [{name: REGION, value: eu}, {name: TOKEN, value: t}]
                    volumeMounts:
                    - {name: data, mountPath: /data}
                    - {name: sa, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}
                """);

        Container agent = SidecarInjection.inject(web, "shop", noLabels(), List.of(set), NOW).pod().getSpec().getContainers().get(0);

        assertThat(agent.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("REGION", "mine"), org.assertj.core.groups.Tuple.tuple("IS_INJECTED", "true"),
                        org.assertj.core.groups.Tuple.tuple("TOKEN", "t"));
        assertThat(agent.getVolumeMounts()).extracting("mountPath").containsExactly("/data");
        assertThat(agent.getAdditionalProperties()).doesNotContainKeys("shareVolumePolicy", "transferEnv");
    }

    @Test
    void patchPodMetadataRetainsOverwritesOrMerges() {
        var annotations = new java.util.LinkedHashMap<String, String>(Map.of("keep", "pod", "over", "pod", "merge", "{\"a\":1}"));
        var retain = new SidecarSetSpecFields.PatchPodMetadata();
        retain.annotations = Map.of("keep", "set", "new", "set");
        var overwrite = new SidecarSetSpecFields.PatchPodMetadata();
        overwrite.annotations = Map.of("over", "set");
        overwrite.patchPolicy = "Overwrite";
        var merge = new SidecarSetSpecFields.PatchPodMetadata();
        merge.annotations = Map.of("merge", "{\"b\":2}");
        merge.patchPolicy = "MergePatchJson";

        SidecarInjection.patchMetadata(annotations, List.of(retain, overwrite, merge));

        assertThat(annotations).containsEntry("keep", "pod").containsEntry("new", "set").containsEntry("over", "set")
                .containsEntry("merge", "{\"a\":1,\"b\":2}");
    }
}
