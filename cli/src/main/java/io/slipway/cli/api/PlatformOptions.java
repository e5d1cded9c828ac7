package io.slipway.cli.api;

import io.slipway.cli.StackOptions;
import io.slipway.cli.UserError;
import io.slipway.cli.stack.StackFile;
import io.slipway.security.Role;
import io.slipway.security.SigningKey;
import io.slipway.security.Tokens;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the platform's API is and how to authenticate: {@code --server}/{@code SLIPWAY_SERVER} and
 * {@code --token}/{@code SLIPWAY_TOKEN}, else the local stack's gateway and a short-lived token from its key.
 */
public final class PlatformOptions {
    @Mixin
    StackOptions stack;

    @Option(names = "--server", paramLabel = "URL", description = "The gateway's URL (default: $SLIPWAY_SERVER, else the local stack's).")
    String server;

    @Option(names = "--token", paramLabel = "JWT", description = "Bearer token (default: $SLIPWAY_TOKEN, else one signed by the local stack's key).")
    String token;

    /** The local stack's options (data dir), for commands that also look at the stack. */
    public StackOptions stack() {
        return stack;
    }

    public PlatformClient client() {
        String url = firstNonBlank(server, System.getenv("SLIPWAY_SERVER"));
        StackFile.State state = null;
        if (url == null) {
            state = stack.requireRunning();
            url = state.gateway().url();
        }
        return new PlatformClient(url, bearer(state == null && server != null));
    }

    /**
     * The bearer token: {@code --token}, else {@code $SLIPWAY_TOKEN}, else an admin token of the local stack's key (not
     * when {@code remote}: another platform's key is not on this machine).
     */
    public String bearer(boolean remote) {
        String bearer = firstNonBlank(token, System.getenv("SLIPWAY_TOKEN"));
        if (bearer == null) {
            if (remote) {
                throw new UserError("--server given without a token: pass --token or set SLIPWAY_TOKEN");
            }
            bearer = Tokens.issue(SigningKey.loadOrCreate(stack.layout().keys()), "slipway-cli", Role.admin, Duration.ofHours(1));
        }
        return bearer;
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }
}
