package io.slipway.cli.image;

import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code slipway rmi IMAGE...}. */
@Command(name = "rmi", mixinStandardHelpOptions = true, description = "Remove images from the store (blobs no other image needs are freed).")
public final class RmiCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<String> images;

    @Override
    public Integer call() {
        PlatformClient api = platform.client();
        for (String image : images) {
            var result = api.delete("/api/v1/images?name=" + InspectCommand.q(image));
            System.out.printf("removed %s (%d blobs, %s freed)%n", result.path("removed").asText(), result.path("blobsRemoved").asInt(),
                    ImagesCommand.human(result.path("bytesFreed").asLong()));
        }
        return 0;
    }
}
