package io.slipway.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway sync -f rules.yaml}: an image-syncer job run by build-svc; waits for its report unless {@code -d}. */
@Command(name = "sync", mixinStandardHelpOptions = true, description = "Copy images between registries by image-syncer rules.")
public final class SyncCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "RULES")
    Path rules;

    @Option(names = {"-d", "--detach"}, description = "Print the job id and return.")
    boolean detach;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(rules)) {
            throw new UserError("rules file " + rules + " does not exist");
        }
        PlatformClient api = platform.client();
        JsonNode job = api.postText("/api/v1/images/syncs", "application/yaml", Files.readString(rules));
        String id = job.path("id").asText();
        if (detach) {
            System.out.println(id);
            return 0;
        }
        System.err.println("sync job " + id);
        while (job.path("state").asText().equals("Requested") || job.path("state").asText().equals("Running")) {
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            job = api.get("/api/v1/images/syncs/" + id);
        }
        System.out.printf("%s: %d synced, %d skipped, %d failed, %s copied%n", job.path("state").asText(), job.path("synced").asInt(),
                job.path("skipped").asInt(), job.path("failed").asInt(), ImagesCommand.human(job.path("bytesCopied").asLong()));
        job.path("failures").forEach(f -> System.out.println("  failed: " + f.asText()));
        return job.path("state").asText().equals("Succeeded") ? 0 : 1;
    }
}
