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

/**
 * {@code slipway apply -f Clusterfile}: the desired cluster; the difference from the current one decides what runs. A
 * {@code pk:} that names a key file is sent as the file's content.
 */
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

    private static final java.util.regex.Pattern PK_PATH = java.util.regex.Pattern.compile("^( *)pk: *([\"']?)([^\"'|>\\s#][^\"'#]*?)\\2 *$");

    /**
     * sealer's Clusterfiles name the private key by its file ({@code pk: /root/.ssh/id_rsa}) on the machine the command runs
     * on; deploy-svc takes key material only, so each such {@code pk:} line (block style) gets the file's content in place.
     */
    static String inlineKeys(String yaml, Path clusterfile) {
        StringBuilder out = new StringBuilder();
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            java.util.regex.Matcher m = PK_PATH.matcher(lines[i]);
            if (!m.matches() || m.group(3).startsWith("-----BEGIN")) {
                out.append(lines[i]);
            } else {
                String name = m.group(3).strip();
                Path key = Path.of(name.startsWith("~/") ? System.getProperty("user.home") + name.substring(1) : name);
                String pem;
                try {
                    pem = Files.readString(key).strip();
                } catch (IOException e) {
                    throw new UserError(clusterfile + ":" + (i + 1) + ": pk: cannot read the private key " + key + ": " + e.getMessage());
                }
                if (!pem.startsWith("-----BEGIN")) {
                    throw new UserError(clusterfile + ":" + (i + 1) + ": pk: " + key + " is not a private key file (PEM or OpenSSH)");
                }
                out.append(m.group(1)).append("pk: |");
                pem.lines().forEach(l -> out.append('\n').append(m.group(1)).append("  ").append(l));
            }
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    @Override
    public Integer call() throws IOException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
        yaml = inlineKeys(yaml, file);
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
