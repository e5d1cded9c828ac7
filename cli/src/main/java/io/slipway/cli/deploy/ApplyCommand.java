package io.slipway.cli.deploy;

import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway apply -f Clusterfile}: the desired cluster; the difference from the current one decides what runs. */
@Command(name = "apply", mixinStandardHelpOptions = true, description = "Apply a Clusterfile: install, scale, upgrade as it differs.")
public final class ApplyCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "Clusterfile")
    Path file;

    @Option(names = "--dry-run", description = "Print what would change, change nothing.")
    boolean dryRun;

    @Option(names = "--detach", description = "Return once the apply is accepted instead of following its progress.")
    boolean detach;

    @Override
    public Integer call() throws IOException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
        PlatformClient client = platform.client();
        if (dryRun) {
            var plan = client.postText("/api/v1/deploy/clusters/apply?dryRun=true", "application/yaml", yaml);
            System.out.println(PlatformClient.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(plan));
            plan.path("warnings").forEach(w -> System.err.println("warning: " + w.asText()));
            return 0;
        }
        return DeployProgress.started(client, client.postText("/api/v1/deploy/clusters/apply", "application/yaml", yaml), detach, System.out);
    }
}
