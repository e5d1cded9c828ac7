package io.slipway.cli.image;

import io.slipway.cli.api.PlatformOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code slipway push IMAGE [REMOTE]}. */
@Command(name = "push", mixinStandardHelpOptions = true, description = "Push an image to a registry (blobs already there are not sent).")
public final class PushCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REMOTE", description = "Where to (default: the registry IMAGE's name points at).")
    String remote;

    @Override
    public Integer call() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", image);
        body.put("remote", remote);
        var done = TransferProgress.follow(platform.client(), "/api/v1/images/push", body, System.err);
        System.out.printf("%s %s (%s sent; %d uploaded, %d already there, %d mounted)%n", done.path("image").asText(),
                done.path("digest").asText(), ImagesCommand.human(done.path("bytes").asLong()), done.path("uploaded").asInt(),
                done.path("already_present").asInt(), done.path("mounted").asInt());
        return 0;
    }
}
