package io.slipway.cli.image;

import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformOptions;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway login REGISTRY -u USER [--password-stdin]}: the credentials are checked against the registry and
 * kept by build-svc for its pushes, pulls and builds. The password is read from stdin or a prompt, never from argv.
 */
@Command(name = "login", mixinStandardHelpOptions = true, description = "Log build-svc in to a registry.")
public final class LoginCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "REGISTRY", description = "host[:port]")
    String registry;

    @Option(names = {"-u", "--username"}, required = true)
    String username;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    boolean passwordStdin;

    @Option(names = "--insecure", description = "The registry speaks plain HTTP.")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
        String password;
        Console console = System.console();
        if (passwordStdin || console == null) {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } else {
            char[] typed = console.readPassword("Password: ");
            password = typed == null ? null : new String(typed);
        }
        if (password == null) {
            throw new UserError("no password given (use --password-stdin or type it at the prompt)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("registry", registry);
        body.put("username", username);
        body.put("password", password.strip());
        body.put("insecure", insecure);
        platform.client().post("/api/v1/images/login", body);
        System.out.println("Login succeeded: " + username + "@" + registry);
        return 0;
    }
}
