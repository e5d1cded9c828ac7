package io.slipway.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.api.PlatformOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway load -i FILE}. */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Load the images of an OCI archive into the store.")
public final class LoadCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE")
    Path input;

    @Override
    public Integer call() {
        JsonNode loaded = platform.client().upload("/api/v1/images/load", "application/x-tar", input);
        for (JsonNode image : loaded) {
            System.out.println("loaded " + image.path("name").asText() + " " + image.path("digest").asText());
        }
        return 0;
    }
}
