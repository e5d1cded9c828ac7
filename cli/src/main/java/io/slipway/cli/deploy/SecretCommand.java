package io.slipway.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway secret set|list|delete}: named secrets that Clusterfiles reference as {@code ${secret:<name>}}, so a
 * Clusterfile (and what CI sends) carries no password or key. A value is read from a file or standard input, never from
 * the command line (which other users of the machine can see).
 */
@Command(name = "secret", mixinStandardHelpOptions = true, description = "Set, list or delete secrets Clusterfiles reference as ${secret:NAME}.",
        subcommands = {SecretCommand.Set.class, SecretCommand.ListSecrets.class, SecretCommand.Delete.class})
public final class SecretCommand {

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Set a secret from a file or standard input.")
    public static final class Set implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @ArgGroup(multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--from-file", paramLabel = "FILE", description = "The value is this file's content (a private key).")
            Path file;

            @Option(names = "--stdin", description = "The value is standard input, without a trailing newline.")
            boolean stdin;
        }

        @Override
        public Integer call() {
            String value;
            try {
                value = source.file != null ? Files.readString(source.file)
                        : new String(System.in.readAllBytes(), StandardCharsets.UTF_8).replaceFirst("\\r?\\n$", "");
            } catch (IOException e) {
                throw new UserError("cannot read the secret's value" + (source.file != null ? " from " + source.file : "") + ": " + e.getMessage());
            }
            platform.client().put("/api/v1/deploy/secrets/" + name, Map.of("value", value));
            System.out.println("secret " + name + " set; reference it as ${secret:" + name + "}");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List secrets (names, never values).")
    public static final class ListSecrets implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Override
        public Integer call() {
            JsonNode list = platform.client().get("/api/v1/deploy/secrets");
            System.out.printf("%-30s %-20s %s%n", "NAME", "UPDATED BY", "UPDATED AT");
            for (JsonNode s : list) {
                System.out.printf("%-30s %-20s %s%n", s.path("name").asText(), s.path("updatedBy").asText(""), s.path("updatedAt").asText(""));
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a secret (clusters keep the value they were given).")
    public static final class Delete implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            platform.client().delete("/api/v1/deploy/secrets/" + name);
            System.out.println("secret " + name + " deleted");
            return 0;
        }
    }
}
