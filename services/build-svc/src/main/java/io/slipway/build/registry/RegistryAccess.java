package io.slipway.build.registry;

import io.slipway.build.BuildServiceConfig;
import io.slipway.build.BuildData;
import io.slipway.oci.registry.CredentialStore;
import io.slipway.oci.registry.InsecureRegistries;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.outbound.OutboundPolicy;
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
    private final OutboundPolicy outbound;

    RegistryAccess(BuildData data, BuildServiceConfig config, OutboundPolicy outbound) {
        this.credentials = CredentialStore.in(data.dataDir().resolve("registry-auth"));
        this.insecure = InsecureRegistries.of(config.insecureRegistries().orElse(List.of()));
        this.outbound = outbound;
    }

    public CredentialStore credentials() {
        return credentials;
    }

    /** Fresh clients (so a new login takes effect); close them after the operation. */
    public Registries open() {
        return Registries.builder().credentialStore(credentials).defaults(tune()).build();
    }

    /**
     * For sync jobs, whose rules configure their own registries: adds plain HTTP for the insecure hosts, and the outbound
     * policy token realms on other hosts must pass.
     */
    public UnaryOperator<RegistryConfig> tune() {
        return c -> insecure.apply(c).withOutbound(outbound);
    }

    public boolean isInsecure(String host) {
        return insecure.isInsecure(host);
    }
}
