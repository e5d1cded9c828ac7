package io.slipway.provision.run;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import java.util.Collection;
import java.util.List;

/** A provider passing every call on, for tests that change one call. */
class DelegatingProvider implements NodeProvider {
    private final NodeProvider delegate;

    DelegatingProvider(NodeProvider delegate) {
        this.delegate = delegate;
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public Created create(CreateRequest request) {
        return delegate.create(request);
    }

    @Override
    public Described describe(Collection<String> nodeIds) {
        return delegate.describe(nodeIds);
    }

    @Override
    public List<ProviderNode> listPooled() {
        return delegate.listPooled();
    }

    @Override
    public void release(Collection<String> nodeIds) {
        delegate.release(nodeIds);
    }

    @Override
    public SshLogin login() {
        return delegate.login();
    }
}
