package io.slipway.infra.provision;

import io.slipway.provision.NodeProvider;
import io.slipway.provision.SshReadiness;
import java.util.Map;

/**
 * Makes the providers of one kind from their settings. Each kind is a CDI bean; tests add kinds the same way (the
 * simulated EC2 is one).
 */
public interface ProviderFactory {

    /** The kind it makes, as {@code slipway.infra.providers.<name>.kind} names it. */
    String kind();

    /**
     * A provider named {@code name} from its settings; fails with an {@link IllegalArgumentException} naming the
     * setting when one is missing or wrong (never echoing a secret).
     */
    OpenProvider open(String name, Map<String, String> settings);

    /** A provider and how its nodes are checked for SSH. */
    record OpenProvider(NodeProvider provider, SshReadiness readiness) {
    }
}
