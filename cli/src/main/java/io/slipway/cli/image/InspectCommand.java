package io.slipway.cli.image;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code slipway inspect}: manifest, config and Slipway metadata (applications, launch, cached images) of an image. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show an image's manifests, configs and CloudImage metadata.")
public final class InspectCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;

    @Override
    public Integer call() throws Exception {
        var view = platform.client().get("/api/v1/images/inspect?name=" + q(image));
        System.out.println(PlatformClient.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(view));
        return 0;
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
