package io.slipway.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.api.PlatformOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway images}: the images in build-svc's store. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List the CloudImages in the image store.")
public final class ImagesCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Option(names = {"-q", "--quiet"}, description = "Only names.")
    boolean quiet;

    @Override
    public Integer call() {
        JsonNode images = platform.client().get("/api/v1/images");
        if (!quiet) {
            System.out.printf("%-50s %-19s %-14s %-28s %10s%n", "NAME", "DIGEST", "TYPE", "PLATFORMS", "SIZE");
        }
        for (JsonNode image : images) {
            if (quiet) {
                System.out.println(image.path("name").asText());
                continue;
            }
            StringBuilder platforms = new StringBuilder();
            image.path("platforms").forEach(p -> platforms.append(platforms.isEmpty() ? "" : ",").append(p.asText()));
            System.out.printf("%-50s %-19s %-14s %-28s %10s%n", image.path("name").asText(),
                    image.path("digest").asText().replace("sha256:", "").substring(0, 12),
                    image.path("type").asText("-"), platforms, human(image.path("size").asLong()));
        }
        return 0;
    }

    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
