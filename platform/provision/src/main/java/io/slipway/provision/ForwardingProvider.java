package io.slipway.provision;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A provider passing every call on to another, for wrappers that change one call (a test's fault, a benchmark's crash).
 * It does not own the provider it forwards to: {@link #close()} leaves it open.
 */
public class ForwardingProvider implements NodeProvider {
    private final NodeProvider delegate;

    public ForwardingProvider(NodeProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    protected NodeProvider delegate() {
        return delegate;
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public String paceKey() {
        return delegate.paceKey();
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

    @Override
    public SshLogin login(String nodeId) {
        return delegate.login(nodeId);
    }
}
