package io.slipway.infra.provider;

import io.slipway.infra.provision.ProviderFactory;
import io.slipway.provision.local.LocalProvider;
import io.slipway.provision.ssh.SshProbe;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Kind {@code local}: nodes on this machine. Settings: {@code state-dir} (where it records its hosts). */
@ApplicationScoped
public class LocalProviders implements ProviderFactory {
    @Override
    public String kind() {
        return LocalProvider.KIND;
    }

    @Override
    public OpenProvider open(String name, Map<String, String> settings) {
        Settings s = new Settings(settings);
        return new OpenProvider(new LocalProvider(s.path("state-dir")), new SshProbe());
    }
}
