package io.slipway.cli.image;

import io.slipway.cli.api.PlatformOptions;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code slipway tag SOURCE TARGET}. */
@Command(name = "tag", mixinStandardHelpOptions = true, description = "Give an image another name.")
public final class TagCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET")
    String target;

    @Override
    public Integer call() {
        var result = platform.client().post("/api/v1/images/tag", Map.of("source", source, "target", target));
        System.out.println(result.path("name").asText() + " " + result.path("digest").asText());
        return 0;
    }
}
