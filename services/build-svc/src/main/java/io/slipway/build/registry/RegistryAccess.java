package io.slipway.build.registry;

import io.slipway.build.BuildServiceConfig;
import io.slipway.build.BuildData;
import io.slipway.oci.registry.CredentialStore;
import io.slipway.oci.registry.InsecureRegistries;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * How build-svc reaches registries: logins from its credential store ({@code <data-dir>/registry-auth}, 0600, never
 * echoed) and plain HTTP for the hosts listed in {@code slipway.build.insecure-registries}; as docker does, a
 * registry on a loopback address (localhost, 127.0.0.0/8, [::1]) is spoken to over plain HTTP on any port.
 */
@ApplicationScoped
public class RegistryAccess {
    private final CredentialStore credentials;
    private final InsecureRegistries insecure;

    RegistryAccess(BuildData data, BuildServiceConfig config) {
        this.credentials = CredentialStore.in(data.dataDir().resolve("registry-auth"));
        this.insecure = InsecureRegistries.of(config.insecureRegistries().orElse(List.of()));
    }

    public CredentialStore credentials() {
        return credentials;
    }

    /** Fresh clients (so a new login takes effect); close them after the operation. */
    public Registries open() {
        return Registries.builder().credentialStore(credentials).defaults(tune()).build();
    }

    /** For sync jobs, whose rules configure their own registries: adds plain HTTP for the insecure hosts. */
    public UnaryOperator<RegistryConfig> tune() {
        return insecure;
    }

    public boolean isInsecure(String host) {
        return insecure.isInsecure(host);
    }
}
