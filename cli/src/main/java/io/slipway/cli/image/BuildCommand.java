package io.slipway.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway build}: sealer's build, run by build-svc; the context is uploaded and the log followed live. */
@Command(name = "build", mixinStandardHelpOptions = true, description = "Build a CloudImage from a Kubefile and a context directory.")
public final class BuildCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Option(names = {"-f", "--file"}, paramLabel = "KUBEFILE", description = "The Kubefile (default: CONTEXT/Kubefile).")
    Path kubefile;

    @Option(names = {"-t", "--tag"}, required = true, paramLabel = "NAME:TAG", description = "Name of the image to build.")
    String tag;

    @Option(names = "--platform", split = ",", paramLabel = "OS/ARCH", description = "Target platforms, e.g. linux/amd64,linux/arm64.")
    List<String> platforms = new ArrayList<>();

    @Option(names = "--build-arg", paramLabel = "KEY=VALUE", description = "Value of an ARG of the Kubefile (repeatable).")
    Map<String, String> buildArgs = new LinkedHashMap<>();

    @Option(names = "--no-cache", description = "Rebuild every layer.")
    boolean noCache;

    @Option(names = "--push", description = "Push the image to the registry its name points at once built.")
    boolean push;

    @Option(names = "--strict", description = "Fail the build when a container image the manifests, charts or image lists name cannot be "
            + "cached (the CloudImage would not install offline).")
    boolean strict;

    @Option(names = {"-d", "--detach"}, description = "Print the build id and return without following the log.")
    boolean detach;

    @Parameters(index = "0", defaultValue = ".", paramLabel = "CONTEXT", description = "Build context directory (default: .).")
    Path context;

    @Override
    public Integer call() throws Exception {
        PlatformClient api = platform.client();
        Path kf = kubefile != null ? kubefile : context.resolve("Kubefile");
        Path tar = Files.createTempFile("slipway-context-", ".tar");
        String kubefileInContext;
        JsonNode uploaded;
        try {
            kubefileInContext = ContextArchive.write(context, kf, tar);
            System.err.printf("uploading context %s (%d MB)%n", context, Files.size(tar) >> 20);
            uploaded = api.upload("/api/v1/builds/contexts", "application/x-tar", tar);
        } finally {
            Files.deleteIfExists(tar);
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", tag);
        request.put("kubefile", kubefileInContext);
        request.put("context", uploaded.get("context").asText());
        request.put("platforms", platforms);
        request.put("buildArgs", buildArgs);
        request.put("noCache", noCache);
        request.put("push", push);
        request.put("strict", strict);
        JsonNode build = api.post("/api/v1/builds", request);
        String id = build.get("id").asText();
        if (detach) {
            System.out.println(id);
            return 0;
        }
        System.err.println("build " + id);
        api.follow("/api/v1/builds/" + id + "/logs", line -> System.out.println(stripTimestamp(line)));
        JsonNode result = api.get("/api/v1/builds/" + id);
        if ("Succeeded".equals(result.path("state").asText())) {
            System.err.printf("%s %s (%d layers built, %d from cache)%n", tag, result.path("digest").asText(),
                    result.path("layersBuilt").asInt(), result.path("layersCached").asInt());
            int unresolved = result.path("imagesUnresolved").asInt();
            if (unresolved > 0) {
                System.err.printf("warning: %d container image(s) could not be cached, so %s is NOT offline-complete: installing it needs "
                        + "those registries (the log above names each image and why; --strict fails such a build)%n", unresolved, tag);
            }
            return 0;
        }
        throw new UserError("build " + id + " " + result.path("state").asText() + ": " + result.path("failureReason").asText(""));
    }

    private static String stripTimestamp(String line) {
        int space = line.indexOf(' ');
        return space > 0 && Character.isDigit(line.charAt(0)) ? line.substring(space + 1) : line;
    }
}
