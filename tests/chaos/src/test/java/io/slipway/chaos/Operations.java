package io.slipway.chaos;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.events.build.RequestBuild;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.hosts.TestHost;
import io.slipway.testkit.kube.InvolvedObject;
import io.slipway.testkit.kube.SimulatedCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The operations the chaos suite drives, each as its user would: a REST build (with an {@code Idempotency-Key}, so a
 * request sent again after a lost answer is the same build), a CI's {@code RequestBuild} on Kafka (its {@code eventId}
 * makes a resend harmless), a tag, a push to a registry, a cluster run onto an SSH host and its delete, and a Kubernetes
 * event that a webhook sink must deliver. Each method returns once the operation reached its end state, or throws
 * saying where it stopped.
 */
final class Operations implements AutoCloseable {
    /** How long an operation may take, its own retries included, however long the fault lasts. */
    static final Duration DEADLINE = Duration.ofMinutes(4);
    private static final String JSON_TYPE = "application/json";

    /** One operation: what it is, the id to find it by in events and read models, and how it ended. */
    static final class Op {
        final String phase;
        final String kind;
        volatile String id;
        volatile Instant ended;
        volatile String failure;

        Op(String phase, String kind, String id) {
            this.phase = phase;
            this.kind = kind;
            this.id = id;
        }

        @Override
        public String toString() {
            return kind + " " + id + (failure != null ? " (" + failure + ")" : "");
        }
    }

    private final GatewayClient gateway;
    private final KafkaProducer<String, byte[]> producer;
    private final String context;
    private final String baseImage;
    private final String registry;
    private final String privateKey;
    private final SimulatedCluster cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Operations(GatewayClient gateway, String bootstrapServers, String context, String baseImage, String registry, String privateKey,
               SimulatedCluster cluster) {
        this.gateway = gateway;
        this.context = context;
        this.baseImage = baseImage;
        this.registry = registry;
        this.privateKey = privateKey;
        this.cluster = cluster;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** {@code POST /api/v1/builds} with an Idempotency-Key, then the build succeeds and deploy-svc's catalog has it. */
    void restBuild(Op op, String image) throws Exception {
        byte[] body = GatewayClient.JSON.writeValueAsBytes(Map.of("image", image, "context", context));
        GatewayClient.Answer a = gateway.call("POST", "/api/v1/builds", JSON_TYPE, body, Map.of("Idempotency-Key", "chaos-" + op.id), true, DEADLINE);
        if (a.status() != 202) {
            throw new IllegalStateException("build request answered " + a.status() + ": " + a.body());
        }
        op.id = a.json().path("id").asText();
        awaitBuildSucceeded(op.id);
    }

    /** A CI's RequestBuild on slipway.build.requests, sent again with the same eventId until Kafka acknowledges it. */
    void kafkaBuild(Op op, String image, String token) throws Exception {
        String buildId = UUID.randomUUID().toString();
        op.id = buildId;
        byte[] value = EventCodec.released().encode(RequestBuild.newBuilder().setBuildId(buildId).setImage(image).setContext(context)
                .setRequestedBy("chaos-ci").build());
        String eventId = UUID.randomUUID().toString();
        await().atMost(DEADLINE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>("slipway.build.requests", image, value);
            r.headers().add(Headers.EVENT_ID, eventId.getBytes(StandardCharsets.UTF_8));
            r.headers().add(Headers.EVENT_TYPE, "RequestBuild".getBytes(StandardCharsets.UTF_8));
            r.headers().add(Headers.AUTHORIZATION, ("Bearer " + token).getBytes(StandardCharsets.UTF_8));
            producer.send(r).get(40, TimeUnit.SECONDS);
            return true;
        });
        awaitBuildSucceeded(buildId);
    }

    private void awaitBuildSucceeded(String id) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode b = gateway.read("/api/v1/builds/" + id);
            if (b != null && b.path("state").asText().equals("Failed")) {
                throw new IllegalStateException("build " + id + " failed: " + b.path("failureReason").asText());
            }
            return b != null && b.path("state").asText().equals("Succeeded");
        });
        // deploy-svc's read model of builds (fed by slipway.build.events) has it too
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode known = gateway.read("/api/v1/deploy/builds/" + id);
            return known != null && known.path("buildId").asText().equals(id);
        });
    }

    /** {@code POST /api/v1/images/tag}; a tag is idempotent, so a resend is harmless. */
    void tag(Op op, String target) throws Exception {
        byte[] body = GatewayClient.JSON.writeValueAsBytes(Map.of("source", baseImage, "target", target));
        GatewayClient.Answer a = gateway.call("POST", "/api/v1/images/tag", JSON_TYPE, body, Map.of(), true, DEADLINE);
        if (!a.ok()) {
            throw new IllegalStateException("tag answered " + a.status() + ": " + a.body());
        }
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> gateway.read("/api/v1/images/inspect?name=" + target) instanceof ObjectNode);
    }

    /** {@code POST /api/v1/images/push} (progress as Server-Sent Events, ending in {@code done}), then the registry has it. */
    void push(Op op, String repository) throws Exception {
        String remote = registry + "/" + repository + ":v1";
        byte[] body = GatewayClient.JSON.writeValueAsBytes(Map.of("name", baseImage, "remote", remote));
        await().atMost(DEADLINE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
            GatewayClient.Answer a = gateway.call("POST", "/api/v1/images/push", JSON_TYPE, body, Map.of(), true, DEADLINE);
            return a.ok() && a.body().lines().anyMatch(l -> l.matches("data: ?done .*"));
        });
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/" + repository + "/manifests/v1"))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() != 200) {
            throw new IllegalStateException("the registry has no " + remote + " after the push said done (" + head.statusCode() + ")");
        }
    }

    /** {@code POST /api/v1/deploy/clusters/run} onto one host, until the cluster is Ready. */
    void run(Op op, TestHost host) throws Exception {
        String name = op.id;
        Map<String, Object> request = Map.of("name", name, "image", baseImage, "masters", List.of(host.address()), "privateKey", privateKey,
                "port", host.port(), "hostKeys", Map.of(host.address(), host.hostKey()));
        byte[] body = GatewayClient.JSON.writeValueAsBytes(request);
        await().atMost(DEADLINE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
            GatewayClient.Answer a = gateway.call("POST", "/api/v1/deploy/clusters/run", JSON_TYPE, body, Map.of(), true, DEADLINE);
            if (a.ok()) {
                return true;
            }
            JsonNode known = gateway.read("/api/v1/deploy/clusters/" + name);
            // an answer lost in a crash: the run was recorded if the cluster is known
            return known != null && known.has("state");
        });
        awaitCluster(name, "Ready");
    }

    /** {@code DELETE /api/v1/deploy/clusters/{name}}, until the cluster is gone. */
    void delete(Op op) throws Exception {
        String name = op.id;
        GatewayClient.Answer a = gateway.call("DELETE", "/api/v1/deploy/clusters/" + name, null, null, Map.of(), true, DEADLINE);
        if (!a.ok() && a.status() != 404) {
            throw new IllegalStateException("delete answered " + a.status() + ": " + a.body());
        }
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode c = gateway.read("/api/v1/deploy/clusters/" + name);
            return c != null && (c.isNull() || c.path("state").asText().equals("Deleted"));
        });
    }

    private void awaitCluster(String name, String state) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode c = gateway.read("/api/v1/deploy/clusters/" + name);
            if (c != null && c.path("state").asText().equals("Failed")) {
                throw new IllegalStateException("cluster " + name + " failed: " + c);
            }
            return c != null && c.path("state").asText().equals(state);
        });
    }

    /** A Kubernetes event in the simulated cluster; the webhook sink must deliver it to {@code receiver} once. */
    void sinkDelivery(Op op, HookReceiver receiver) {
        InvolvedObject pod = cluster.createPod("chaos", "pod-" + op.id, Map.of("app", "chaos"), Map.of());
        cluster.events().record(pod, "Warning", "ChaosProbe", op.id);
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> receiver.applied(op.id));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
