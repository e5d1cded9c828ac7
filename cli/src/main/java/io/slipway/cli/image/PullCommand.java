package io.slipway.cli.image;

import io.slipway.cli.api.PlatformOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway pull REFERENCE [--platform ...]}. */
@Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull an image from a registry into the image store.")
public final class PullCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "REFERENCE")
    String reference;

    @Option(names = "--platform", split = ",", paramLabel = "OS/ARCH", description = "Only these platforms of a multi-arch image (default: all).")
    List<String> platforms = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", description = "Local name (default: the reference).")
    String name;

    @Override
    public Integer call() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reference", reference);
        body.put("platforms", platforms);
        body.put("name", name);
        var done = TransferProgress.follow(platform.client(), "/api/v1/images/pull", body, System.err);
        System.out.printf("%s %s (%s received)%n", done.path("image").asText(), done.path("digest").asText(),
                ImagesCommand.human(done.path("bytes").asLong()));
        return 0;
    }
}
