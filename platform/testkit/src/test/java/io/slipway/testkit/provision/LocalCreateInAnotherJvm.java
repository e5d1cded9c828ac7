package io.slipway.testkit.provision;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.local.LocalProvider;
import java.nio.file.Path;
import java.util.Map;

/** A service that creates local hosts and may be killed while it does: {@code <stateDir> <mode> <pool> <count>}. */
public final class LocalCreateInAnotherJvm {
    private LocalCreateInAnotherJvm() {
    }

    public static void main(String[] args) {
        LocalProvider provider = new LocalProvider(Path.of(args[0]), LocalProvider.Mode.valueOf(args[1]));
        int count = Integer.parseInt(args[3]);
        provider.create(new CreateRequest(args[2], "node", null, null, count, CreateRequest.tokenFor(args[2], "node", 0, 0), Map.of()));
        System.out.println("created");
    }
}
