package io.slipway.build.registry;

import io.slipway.build.BuildServiceConfig;
import io.slipway.build.BuildData;
import io.slipway.oci.registry.CredentialStore;
import io.slipway.oci.registry.InsecureRegistries;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.outbound.OutboundPolicy;
import io.slipway.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * How build-svc reaches registries: logins from its credential store ({@code <data-dir>/registry-auth}, 0600, sealed
 * with {@code <data-dir>/secrets.key}, never echoed) and plain HTTP for the hosts listed in {@code slipway.build.insecure-registries}; as docker does, a
 * registry on a loopback address (localhost, 127.0.0.0/8, [::1]) is spoken to over plain HTTP on any port.
 */
@ApplicationScoped
public class RegistryAccess {
    /** What a sealed login is bound to: it opens as nothing else. */
    private static final String LOGIN = "registry-login";
    private final CredentialStore credentials;
    private final InsecureRegistries insecure;
    private final OutboundPolicy outbound;

    RegistryAccess(BuildData data, BuildServiceConfig config, OutboundPolicy outbound) {
        SecretBox box = SecretBox.keyFile(config.secretsKeyFile().orElse(data.dataDir().resolve("secrets.key")));
        try {
            this.credentials = CredentialStore.sealedIn(data.dataDir().resolve("registry-auth"), new CredentialStore.Sealer() {
                @Override
                public String seal(String plain) {
                    return box.seal(plain, LOGIN);
                }

                @Override
                public String open(String sealed) {
                    return box.open(sealed, LOGIN);
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read build-svc's registry logins: " + e.getMessage(), e);
        }
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
