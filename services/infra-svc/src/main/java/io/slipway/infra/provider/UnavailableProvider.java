package io.slipway.infra.provider;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A configured provider this machine cannot serve (local hosts without root or user namespaces): the service still
 * starts, and a pool asking for it fails at once with the reason instead of the whole service refusing to start.
 */
final class UnavailableProvider implements NodeProvider {
    private final String kind;
    private final String reason;

    UnavailableProvider(String kind, String reason) {
        this.kind = kind;
        this.reason = reason;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public Created create(CreateRequest request) {
        throw new ProviderException(ProviderException.Kind.INVALID, "ProviderUnavailable", reason);
    }

    @Override
    public Described describe(Collection<String> nodeIds) {
        return new Described(List.of(), Set.copyOf(nodeIds));
    }

    @Override
    public List<ProviderNode> listPooled() {
        return List.of();
    }

    @Override
    public void release(Collection<String> nodeIds) {
        // it never made a node
    }

    @Override
    public SshLogin login() {
        return SshLogin.password("root", "unavailable");
    }
}
