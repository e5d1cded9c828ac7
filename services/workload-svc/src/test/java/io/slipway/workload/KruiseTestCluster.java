package io.slipway.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.workload.WorkloadTransitioned;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import java.util.stream.Stream;

/** The test's own client of the simulated cluster the service runs against, with Kruise's CRDs installed from deploy/k8s/crds. */
public final class KruiseTestCluster {
    private KruiseTestCluster() {
    }

    private static final java.util.Map<String, KubernetesClient> SHARED = new java.util.HashMap<>();
    private static final java.util.Map<String, String> SHARED_CONFIG = new java.util.HashMap<>();

    /**
     * One client for the test classes of one application (the simulated cluster of the running Quarkus test resource):
     * made on first use and again when the cluster changed; closed with the JVM.
     */
    public static KubernetesClient shared() {
        return shared("sim");
    }

    /** {@link #shared()} of the simulated cluster named {@code cluster} (init arg {@code cluster} of its resource). */
    public static synchronized KubernetesClient shared(String cluster) {
        try {
            String config = Files.readString(SimulatedClusterResource.kubeconfig(cluster));
            KubernetesClient known = SHARED.get(cluster);
            if (known == null || !config.equals(SHARED_CONFIG.get(cluster))) {
                if (known != null) {
                    known.close();
                }
                known = client(cluster);
                SHARED.put(cluster, known);
                SHARED_CONFIG.put(cluster, config);
            }
            return known;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static KubernetesClient client() {
        return client("sim");
    }

    /** A new client of simulated cluster {@code cluster}, with the CRDs installed. */
    public static KubernetesClient client(String cluster) {
        try {
            Config config = Config.fromKubeconfig(Files.readString(SimulatedClusterResource.kubeconfig(cluster)));
            KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
            installCrds(client);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code kubectl edit} as a person or a script does it: re-read and try again when the controller wrote the object
     * (its status) between the read and the write, which a real API server answers with 409 too.
     */
    public static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return resource.edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /** The transitions workload-svc published for workload {@code uid}, in order. */
    public static List<WorkloadTransitioned> transitions(String uid) {
        List<WorkloadTransitioned> found = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll("slipway.workload.events")) {
            if (uid.equals(r.key()) && "WorkloadTransitioned".equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))) {
                found.add(EventCodec.released().decode(r.value(), WorkloadTransitioned.class));
            }
        }
        return found;
    }

    public static void installCrds(KubernetesClient client) {
        try (Stream<Path> files = Files.list(CustomResourceDefinitionsTest.CRDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
                    // created once: a registered conversion webhook (spec.conversion) is not reset by the next test's client
                    if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
                        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
