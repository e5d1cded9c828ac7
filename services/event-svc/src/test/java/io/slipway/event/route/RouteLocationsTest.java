package io.slipway.event.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The routing file, the file sinks and the sealing key live in the service's data directory unless configured elsewhere. */
class RouteLocationsTest {
    private static RoutesConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(RoutesConfig.class).withConverter(Duration.class, 100, new DurationConverter())
                .withDefaultValues(properties).build().getConfigMapping(RoutesConfig.class);
    }

    @Test
    void byDefaultBothAreInTheDataDirectoryNotWhereverTheServiceWasStarted() {
        Path data = Path.of("/var/lib/slipway/event-svc");
        RouteService.Locations at = RouteService.Locations.of(config(Map.of()), Optional.of(data));
        assertThat(at.file()).isEqualTo(data.resolve("sinks.yaml"));
        assertThat(at.fileSinks()).isEqualTo(data.resolve("sink-files"));
        assertThat(at.secretsKey()).isEqualTo(data.resolve("secrets.key"));
        assertThat(RouteService.Locations.of(config(Map.of()), Optional.empty()).file()).isAbsolute();
    }

    @Test
    void configuredPlacesWin() {
        RouteService.Locations at = RouteService.Locations.of(config(Map.of("slipway.routes.file", "/etc/slipway/sinks.yaml",
                "slipway.routes.file-directory", "/srv/events", "slipway.routes.secrets-key-file", "/etc/slipway/keys/routes.key")),
                Optional.of(Path.of("/data")));
        assertThat(at.file()).isEqualTo(Path.of("/etc/slipway/sinks.yaml"));
        assertThat(at.fileSinks()).isEqualTo(Path.of("/srv/events"));
        assertThat(at.secretsKey()).isEqualTo(Path.of("/etc/slipway/keys/routes.key"));
    }
}
