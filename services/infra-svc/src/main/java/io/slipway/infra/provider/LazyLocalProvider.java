package io.slipway.infra.provider;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import io.slipway.provision.local.LocalProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The local provider, made on its first create (or once its state directory exists, from an earlier run): a service
 * that never makes a local host leaves nothing on the machine, not even an empty state directory under /var/tmp.
 */
final class LazyLocalProvider implements NodeProvider {
    private final Path stateDir;
    private LocalProvider provider;

    LazyLocalProvider(Path stateDir) {
        this.stateDir = stateDir;
    }

    @Override
    public String kind() {
        return LocalProvider.KIND;
    }

    @Override
    public Created create(CreateRequest request) {
        return provider().create(request);
    }

    @Override
    public Described describe(Collection<String> nodeIds) {
        return made() ? provider().describe(nodeIds) : new Described(List.of(), Set.copyOf(nodeIds));
    }

    @Override
    public List<ProviderNode> listPooled() {
        return made() ? provider().listPooled() : List.of();
    }

    @Override
    public void release(Collection<String> nodeIds) {
        if (made()) {
            provider().release(nodeIds);
        }
    }

    @Override
    public SshLogin login() {
        return provider().login();
    }

    @Override
    public SshLogin login(String nodeId) {
        return provider().login(nodeId);
    }

    @Override
    public void close() {
        LocalProvider p;
        synchronized (this) {
            p = provider;
        }
        if (p != null) {
            p.close();
        }
    }

    private boolean made() {
        synchronized (this) {
            return provider != null || Files.isDirectory(stateDir);
        }
    }

    private synchronized LocalProvider provider() {
        if (provider == null) {
            provider = new LocalProvider(stateDir);
        }
        return provider;
    }
}
