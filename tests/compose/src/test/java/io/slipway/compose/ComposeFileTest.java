package io.slipway.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.cli.gateway.Routes;
import io.slipway.cli.stack.ServiceSpec;
import io.slipway.testkit.Needs;
import io.slipway.yaml.YamlNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's docker-compose.yml, rendered by Debian's docker-compose with .env.example: what it gives each service
 * is configuration the service reads, it holds no secret, everything starts after what it needs and says when it is
 * healthy, the gateway routes to every service, and state outlives the containers. No container is started (this
 * machine has no engine); README.md, "Run it with docker-compose", says so.
 */
class ComposeFileTest {
    static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();
    static final Path COMPOSE_FILE = ROOT.resolve("docker-compose.yml");
    static final Path ENV_EXAMPLE = ROOT.resolve(".env.example");

    private static Path binary;
    private static ComposeConfig compose;

    @BeforeAll
    static void render() throws Exception {
        binary = ComposeConfig.binary().orElse(null);
        Needs.machine(binary != null, "docker-compose (Debian package docker-compose) not installed");
        compose = ComposeConfig.render(binary, COMPOSE_FILE, ENV_EXAMPLE);
    }

    static ServiceConfigKeys keysOf(String service) {
        return ServiceConfigKeys.cached(service, ROOT.resolve("services").resolve(service).resolve("target/quarkus-app"));
    }

    @Test
    void everyEnvironmentVariableOfAServiceIsOneOfItsConfigurationKeys() {
        List<String> problems = new ArrayList<>();
        for (ServiceSpec spec : ServiceSpec.ALL) {
            Map<String, String> env = compose.environment(spec.name());
            assertThat(env).as(spec.name() + "'s environment").isNotEmpty();
            problems.addAll(EnvironmentCheck.problems(keysOf(spec.name()), env));
        }
        assertThat(problems).isEmpty();
    }

    /**
     * The apache/kafka image writes each {@code KAFKA_*} variable into server.properties ({@code .} as {@code _},
     * {@code _} as {@code __}, {@code -} as {@code ___}); a broker only warns about a property it does not know, so a
     * misspelt one would be another silent default. {@code CLUSTER_ID} is the image's own (the KRaft storage format).
     */
    @Test
    void everyKafkaVariableIsABrokerProperty() {
        Set<String> properties = kafka.server.KafkaConfig.configDef().names();
        List<String> unknown = new ArrayList<>();
        compose.environment("kafka").keySet().stream().filter(n -> !n.equals("CLUSTER_ID")).forEach(name -> {
            String property = name.startsWith("KAFKA_") ? brokerProperty(name.substring("KAFKA_".length())) : null;
            if (property == null || !properties.contains(property)) {
                unknown.add(name + (property == null ? "" : " (" + property + ")"));
            }
        });
        assertThat(unknown).as("kafka variables that are no broker property").isEmpty();
    }

    private static String brokerProperty(String variable) {
        return variable.replace("___", "-").replace("__", "\0").replace('_', '.').replace("\0", "_").toLowerCase(java.util.Locale.ROOT);
    }

    @Test
    void eachServiceHasItsOwnDatabaseNamedAfterItsDomainAndReachesTheInfrastructure() throws Exception {
        Set<String> created = new HashSet<>();
        try (Stream<Path> scripts = Files.list(ROOT.resolve("deploy/compose/initdb"))) {
            for (Path script : scripts.toList()) {
                Matcher m = Pattern.compile("(?i)CREATE DATABASE (\\w+)").matcher(Files.readString(script, StandardCharsets.UTF_8));
                while (m.find()) {
                    created.add(m.group(1));
                }
            }
        }
        for (ServiceSpec spec : ServiceSpec.ALL) {
            Map<String, String> env = compose.environment(spec.name());
            assertThat(env).as(spec.name()).containsEntry("SLIPWAY_DB_NAME", spec.domain())
                    .containsEntry("SLIPWAY_DB_HOST", "postgres").containsEntry("SLIPWAY_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
                    .containsEntry("QUARKUS_HTTP_HOST", "0.0.0.0");
            assertThat(created).as("databases the init scripts create").contains(spec.domain());
        }
        assertThat(compose.service("postgres").get("command").scalars()).as("postgres' command").contains("wal_level=logical");
        Map<String, String> kafka = compose.environment("kafka");
        assertThat(kafka.get("KAFKA_PROCESS_ROLES")).as("a KRaft node, broker and controller").isEqualTo("broker,controller");
        assertThat(kafka).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
    }

    @Test
    void noSecretIsWrittenInTheFileAndNoneIsCommitted(@TempDir Path dir) throws Exception {
        assertThat(LiteralSecrets.in(Files.readString(COMPOSE_FILE, StandardCharsets.UTF_8))).isEmpty();
        assertThat(Files.readAllLines(ROOT.resolve(".gitignore"))).as(".gitignore").contains(".env");

        Path noPassword = dir.resolve("env");
        Files.writeString(noPassword, Files.readAllLines(ENV_EXAMPLE).stream().filter(l -> !l.startsWith("POSTGRES_PASSWORD="))
                .collect(Collectors.joining("\n", "", "\n")));
        ComposeConfig.Result refused = ComposeConfig.run(binary, COMPOSE_FILE, noPassword);
        assertThat(refused.exitCode()).as("docker-compose config without POSTGRES_PASSWORD: %s", refused.output()).isNotZero();
        assertThat(refused.errors()).contains("POSTGRES_PASSWORD");
    }

    @Test
    void everythingStartsAfterWhatItNeedsAndReportsItsHealth() {
        for (String infra : List.of("kafka", "postgres", "gateway")) {
            assertHealthCheck(infra);
        }
        for (ServiceSpec spec : ServiceSpec.ALL) {
            assertThat(dependsOn(spec.name())).as(spec.name() + " depends_on").containsAllEntriesOf(Map.of(
                    "kafka", "service_healthy", "postgres", "service_healthy", "keys", "service_completed_successfully"));
            assertHealthCheck(spec.name());
            assertThat(compose.environment(spec.name())).containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "/keys/jwt-public.pem");
            assertThat(mounts(spec.name())).as(spec.name() + " mounts the key pair's volume read-only").contains(new Mount("keys", "/keys", "ro"));
        }
        // build-data takes its owner from build-svc's /data only if build-svc mounts it first
        assertThat(dependsOn("deploy-svc")).containsEntry("build-svc", "service_started");
        Map<String, String> gateway = dependsOn("gateway");
        assertThat(gateway.keySet()).containsExactlyInAnyOrderElementsOf(ServiceSpec.ALL.stream().map(ServiceSpec::name).toList());
        assertThat(gateway.values()).containsOnly("service_healthy");
        assertThat(compose.service("keys").get("command").scalars()).containsSubsequence("keys", "init", "--dir", "/keys");
        assertThat(mounts("keys")).contains(new Mount("keys", "/keys", "rw"));
    }

    @Test
    void theGatewayHasAnUpstreamForEveryServiceItRoutesTo() {
        List<String> command = compose.service("gateway").get("command").scalars();
        assertThat(command.getFirst()).isEqualTo("gateway");
        Map<String, URI> upstreams = new LinkedHashMap<>();
        for (int i = 0; i < command.size() - 1; i++) {
            if (command.get(i).equals("--upstream")) {
                String[] nameUrl = command.get(i + 1).split("=", 2);
                assertThat(upstreams.put(nameUrl[0], URI.create(nameUrl[1]))).as("a second --upstream " + nameUrl[0]).isNull();
            }
        }
        assertThat(upstreams.keySet()).as("upstreams").containsExactlyInAnyOrderElementsOf(new HashSet<>(Routes.PREFIXES.values()));
        upstreams.forEach((name, url) -> {
            assertThat(compose.services()).as("the upstream " + name + " is a service of the compose file").containsKey(name);
            assertThat(url).as(name).isEqualTo(URI.create("http://" + name + ":8080"));
        });
    }

    @Test
    void stateLivesInNamedVolumes() {
        assertThat(mounts("kafka")).contains(new Mount("kafka", "/var/lib/kafka/data", "rw"));
        assertThat(compose.environment("kafka")).containsEntry("KAFKA_LOG_DIRS", "/var/lib/kafka/data");
        assertThat(mounts("postgres")).contains(new Mount("postgres", "/var/lib/postgresql/data", "rw"));
        assertThat(mounts("build-svc")).contains(new Mount("build-data", "/var/lib/slipway", "rw"));
        for (ServiceSpec spec : ServiceSpec.ALL) {
            String dataDir = compose.environment(spec.name()).get("SLIPWAY_DATA_DIR");
            if (dataDir != null) {
                assertThat(mounts(spec.name()).stream().filter(m -> m.target().equals(dataDir) && m.mode().equals("rw")))
                        .as(spec.name() + "'s data directory " + dataDir + " is a writable named volume").hasSize(1);
            }
        }
        for (String service : compose.services().keySet()) {
            mounts(service).stream().filter(m -> !m.source().startsWith("/")).forEach(m ->
                    assertThat(compose.namedVolumes()).as(service + " mounts " + m.source()).contains(m.source()));
        }
    }

    private static void assertHealthCheck(String service) {
        YamlNode check = compose.service(service).get("healthcheck");
        assertThat(check).as(service + " has a healthcheck").isNotNull();
        assertThat(check.get("disable")).as(service + "'s healthcheck is on").isNull();
        List<String> test = check.get("test").scalars();
        assertThat(test.getFirst()).as(service + "'s healthcheck runs a command").isIn("CMD", "CMD-SHELL");
        assertThat(test).hasSizeGreaterThan(1);
    }

    private static Map<String, String> dependsOn(String service) {
        Map<String, String> out = new LinkedHashMap<>();
        YamlNode deps = compose.service(service).get("depends_on");
        assertThat(deps).as(service + " has depends_on").isNotNull();
        deps.entries().forEach((name, dep) -> out.put(name, dep.get("condition").scalar()));
        return out;
    }

    /** A volume of the rendered file's short form, {@code source:target:mode}. */
    record Mount(String source, String target, String mode) {
    }

    private static List<Mount> mounts(String service) {
        YamlNode volumes = compose.service(service).get("volumes");
        if (volumes == null) {
            return List.of();
        }
        return volumes.items().stream().map(v -> {
            String[] parts = v.scalar().split(":");
            return new Mount(parts[0], parts[1], parts.length > 2 ? parts[2] : "rw");
        }).toList();
    }
}
