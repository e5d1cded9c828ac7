package io.slipway.cli.token;

import io.slipway.security.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway keys}: the JWT signing key pair outside the local stack (a volume shared by containers). */
@Command(name = "keys", mixinStandardHelpOptions = true, subcommands = KeysCommand.Init.class,
        description = "Manage the key pair that signs bearer tokens.")
public final class KeysCommand {

    /**
     * {@code slipway keys init --dir DIR}: creates {@code jwt-private.pem} (0600) and {@code jwt-public.pem} in DIR
     * unless both are there; prints the public key's path, never the private key.
     */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the signing key pair in DIR if absent (jwt-private.pem 0600, jwt-public.pem); print the public key's path.")
    public static final class Init implements Callable<Integer> {

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where the key pair is kept.")
        Path dir;

        @Override
        public Integer call() {
            boolean existed = Files.exists(dir.resolve(SigningKey.PRIVATE_FILE)) && Files.exists(dir.resolve(SigningKey.PUBLIC_FILE));
            SigningKey.loadOrCreate(dir);
            Path pub = dir.resolve(SigningKey.PUBLIC_FILE).toAbsolutePath().normalize();
            System.err.println(existed ? "the key pair in " + dir + " is kept" : "created a key pair in " + dir);
            System.out.println(pub);
            return 0;
        }
    }
}
