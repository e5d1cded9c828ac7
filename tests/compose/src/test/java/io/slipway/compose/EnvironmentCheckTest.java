package io.slipway.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.Needs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks of ComposeFileTest refuse what they are there to refuse: fixtures with mistakes in them. */
class EnvironmentCheckTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath();

    @Test
    void aMisspeltOrIneffectiveVariableIsAFailureNamingIt() throws Exception {
        Path binary = ComposeConfig.binary().orElse(null);
        Needs.machine(binary != null, "docker-compose (Debian package docker-compose) not installed");
        ComposeConfig fixture = ComposeConfig.render(binary, FIXTURES.resolve("misspelt.yml"), ComposeFileTest.ENV_EXAMPLE);

        List<String> problems = EnvironmentCheck.problems(ComposeFileTest.keysOf("build-svc"), fixture.environment("build-svc"));

        assertThat(problems).as("one problem per wrong variable, each naming it").hasSize(6);
        assertThat(String.join("\n", problems))
                .contains("build-svc: SLIPWAY_DB_HSOT is no configuration key of the service")
                .contains("QUARKUS_HTTP_PROXY_TRUSTED_PROXY is no configuration key")
                .contains("QUARKUS_HTTP_PORT is no configuration key") // real, but not on the allow-list
                .contains("QUARKUS_DATASOURCE_DB_KIND sets quarkus.datasource.db-kind, which is fixed when the service is built")
                .contains("MP_JWT_VERIFY_PUBLICKEY_LOCATOIN is no configuration key")
                .contains("JAVA_TOOL_OPTIONS is no configuration key");
        // accepted: a backbone key, a key only a @ConfigMapping declares (BackboneConfig.dataDir, BuildServiceConfig.lease),
        // a map's entry (slipway.relay.connector."max.batch.size"), an application.properties key, the allow-list
        assertThat(String.join("\n", problems)).doesNotContain("SLIPWAY_DB_HOST ", "SLIPWAY_DATA_DIR", "SLIPWAY_BUILD_LEASE",
                "SLIPWAY_RELAY_CONNECTOR_MAX_BATCH_SIZE", "QUARKUS_HTTP_HOST ", "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES ",
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION ");
    }

    @Test
    void aSecretWrittenAsAValueIsAFailure() throws Exception {
        List<String> found = LiteralSecrets.in(Files.readString(FIXTURES.resolve("literal-secret.yml"), StandardCharsets.UTF_8));

        assertThat(found).hasSize(2);
        assertThat(found.get(0)).contains("SLIPWAY_DB_PASSWORD is written as a value");
        assertThat(found.get(1)).contains("API_TOKEN is written as a value");
    }
}
