package io.slipway.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.embedded.EmbeddedRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One secret, planted in every secret-bearing input the running stack takes (an SSH password and key passphrase, a
 * deploy secret, a Clusterfile env value marked secret and one secret by name, a registry login and a Clusterfile's
 * registry password, webhook HMAC and header, DingTalk token and signing secret, Lark secret, Elasticsearch password,
 * Kafka sink properties, a git token), and then searched for in every topic and DLQ, every service log, every table of
 * every service database and the REST and SSE answers: it must be found nowhere. Where it may be, sealed or in a file
 * only its service reads (a service's secret options), is not searched; but the registry logins (sealed), the routing
 * documents in event-svc's database (sealed, route_version) and every process's command line are.
 */
final class SecretCanary {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DATABASES = List.of("build", "deploy", "infra", "event", "workload");

    final String value = "Canary-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> answers = new ArrayList<>();

    /**
     * What a service is started with that holds the canary: build-svc's git token for a host. event-svc may reach
     * loopback, where the planted receivers point (nothing listens there), so the routes are accepted.
     */
    List<String> serviceJvmOptions() {
        return List.of("build-svc:-Dslipway.build.git-credentials.\"127.0.0.1\".username=ci",
                "build-svc:-Dslipway.build.git-credentials.\"127.0.0.1\".password=" + value, "event-svc:-Dslipway.outbound.allow=loopback");
    }

    void plant(Path dir, URI gateway, String operator) throws Exception {
        // event-svc: every receiver kind with a secret
        String routes = """
                route:
                  match:
                    - {receiver: hook}
                receivers:
                  - name: hook
                    webhook: {url: 'http://127.0.0.1:9/hook', secret: '%1$s', headers: {Authorization: 'Bearer %1$s'}}
                  - name: ding
                    dingtalk: {url: 'http://127.0.0.1:9/robot/send?access_token=%1$s', secret: '%1$s'}
                  - name: lark
                    lark: {url: 'http://127.0.0.1:9/open-apis/bot/v2/hook/x', secret: '%1$s'}
                  - name: search
                    elasticsearch: {hosts: ['http://127.0.0.1:9'], index: events, username: ops, password: '%1$s'}
                  - name: bus
                    kafka: {brokers: ['127.0.0.1:9'], topic: events, properties: {sasl.jaas.config: 'PlainLoginModule required password="%1$s";'}}
                """.formatted(value);
        expect(send("PUT", gateway, "/api/v1/sinks/routes", "application/yaml", routes, operator), 200, 204);

        // build-svc: a registry login
        try (EmbeddedRegistry registry = EmbeddedRegistry.start(dir.resolve("canary-registry"))) {
            expect(send("POST", gateway, "/api/v1/images/login", "application/json",
                    JSON.writeValueAsString(Map.of("registry", registry.host(), "username", "ci", "password", value)), operator), 200);
        }

        // deploy-svc: a named secret, and a Clusterfile with secrets inline, by name and by reference
        expect(send("PUT", gateway, "/api/v1/deploy/secrets/canary", "application/json", JSON.writeValueAsString(Map.of("value", value)),
                operator), 201);
        String clusterfile = """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata: {name: canary}
                spec:
                  image: demo/app:v1
                  env: ["DB_PASSWORD=%1$s", "SEED=${secret:canary}", "PLAIN=%1$s-suffix"]
                  secretEnv: [PLAIN]
                  ssh: {user: root, passwd: '%1$s', pkPasswd: '${secret:canary}', port: "9"}
                  trustOnFirstUse: true
                  registry: {externalRegistry: {domain: '127.0.0.1:5999', username: ops, password: '%1$s'}}
                  hosts:
                    - ips: [127.0.0.77]
                      roles: [master]
                """.formatted(value);
        expect(send("POST", gateway, "/api/v1/deploy/clusters/apply", "application/yaml", clusterfile, operator), 202);
    }

    /** Waits for the planted operation to settle, then searches everything for the canary. */
    void assertFoundNowhere(Stack stack, URI gateway, String operator, String viewer) throws Exception {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HttpResponse<String> c = send("GET", gateway, "/api/v1/deploy/clusters/canary", null, null, viewer);
            assertThat(JSON.readTree(c.body()).path("state").asText()).isIn("Failed", "Degraded");
        });
        for (String path : List.of("/api/v1/deploy/clusters", "/api/v1/deploy/clusters/canary", "/api/v1/deploy/secrets", "/api/v1/sinks",
                "/api/v1/sinks/routes", "/api/v1/builds", "/api/v1/images")) {
            send("GET", gateway, path, null, null, operator);
        }
        HttpRequest sse = HttpRequest.newBuilder(gateway.resolve("/api/v1/deploy/clusters/canary/progress")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + viewer).header("Accept", "text/event-stream").GET().build();
        answers.add("SSE " + http.send(sse, HttpResponse.BodyHandlers.ofString()).body());
        assertThat(answers).as("REST and SSE answers").noneMatch(a -> a.contains(value));

        // the events of the operation were relayed; every topic and DLQ, values and headers
        await().atMost(Duration.ofSeconds(60)).until(() -> topicsHolding(stack.bootstrapServers(), "ClusterFailed")
                || topicsHolding(stack.bootstrapServers(), "ClusterDegraded"));
        assertThat(topicsHolding(stack.bootstrapServers(), value)).as("a topic holds the canary").isFalse();

        // a command line is what `ps` shows every user of the machine
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            String cmdline;
            try {
                cmdline = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")), StandardCharsets.ISO_8859_1);
            } catch (java.io.IOException gone) {
                continue;
            }
            assertThat(cmdline).as("the command line of process " + p.pid()).doesNotContain(value);
        }
        // build-svc's registry logins are sealed at rest: neither the password nor docker's base64 of user:password
        Path logins = stack.layout().service("build-svc").resolve("registry-auth").resolve("auth.json");
        assertThat(Files.readString(logins)).as(logins.toString()).doesNotContain(value)
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(("ci:" + value).getBytes(StandardCharsets.UTF_8)));
        for (Path log : Files.list(stack.layout().logs()).toList()) {
            assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).as(log.toString()).doesNotContain(value);
        }

        int port = stack.state().postgres().port();
        int tables = 0;
        for (String db : DATABASES) {
            tables += assertNoTableHolds(port, db);
        }
        assertThat(tables).as("tables searched").isGreaterThan(10);
    }

    private int assertNoTableHolds(int port, String db) throws Exception {
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        login.setProperty("password", "postgres");
        int tables = 0;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, login)) {
            Map<String, List<String>> columns = new HashMap<>();
            try (ResultSet rs = c.createStatement().executeQuery("select table_name, column_name from information_schema.columns "
                    + "where table_schema = 'public' and data_type in ('text', 'character varying', 'json', 'jsonb', 'bytea')")) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2));
                }
            }
            for (var table : columns.entrySet()) {
                tables++;
                for (String column : table.getValue()) {
                    try (ResultSet rs = c.createStatement().executeQuery("select \"" + column + "\"::text from \"" + table.getKey() + "\"")) {
                        while (rs.next()) {
                            String v = rs.getString(1);
                            assertThat(v == null ? "" : v).as(db + "." + table.getKey() + "." + column).doesNotContain(value);
                        }
                    }
                }
            }
        }
        return tables;
    }

    /** Whether any record of any topic (DLQs included) holds {@code text} in its key, value or a header. */
    private static boolean topicsHolding(String bootstrapServers, String text) throws Exception {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        List<TopicPartition> partitions = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            var names = admin.listTopics().names().get();
            admin.describeTopics(names).allTopicNames().get().values()
                    .forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
        }
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // every record up to the end each partition had when the search began; a search that cannot finish fails
            java.util.concurrent.atomic.AtomicBoolean found = new java.util.concurrent.atomic.AtomicBoolean();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    boolean here = holds(r.key(), needle) || holds(r.value(), needle);
                    for (Header h : r.headers()) {
                        here |= holds(h.value(), needle);
                    }
                    if (here) {
                        found.set(true);
                    }
                }
                return found.get() || partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return found.get();
        }
    }

    private static boolean holds(byte[] haystack, byte[] needle) {
        if (haystack == null) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private HttpResponse<String> send(String method, URI gateway, String path, String contentType, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        answers.add(method + " " + path + " " + response.statusCode() + " " + response.body());
        return response;
    }

    private static void expect(HttpResponse<String> response, Integer... statuses) {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.request().uri() + ": " + response.body())
                .isIn((Object[]) statuses);
    }
}
