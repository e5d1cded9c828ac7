package io.slipway.infra.provider;

import io.slipway.infra.provision.ProviderFactory;
import io.slipway.provision.SshLogin;
import io.slipway.provision.ssh.SshProbe;
import io.slipway.provision.staticpool.StaticHost;
import io.slipway.provision.staticpool.StaticProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kind {@code static}: existing machines, claimed and released. Settings: {@code hosts} (comma-separated
 * {@code address} or {@code address:port}), {@code user}, and {@code private-key} (a path) or {@code password-env}
 * (the environment variable holding the password); {@code state-dir} (claims); {@code health-timeout} (default 10s).
 */
@ApplicationScoped
public class StaticProviders implements ProviderFactory {
    @Override
    public String kind() {
        return StaticProvider.KIND;
    }

    @Override
    public OpenProvider open(String name, Map<String, String> settings) {
        Settings s = new Settings(settings);
        String user = s.required("user");
        SshLogin login = s.optional("private-key").map(k -> SshLogin.key(user, java.nio.file.Path.of(k)))
                .orElseGet(() -> SshLogin.password(user, s.secret("password")
                        .orElseThrow(() -> new IllegalArgumentException("settings.private-key, settings.password-env or settings.password-file is required"))));
        List<StaticHost> hosts = new ArrayList<>();
        for (String h : s.list("hosts")) {
            int colon = h.lastIndexOf(':');
            String address = colon > 0 ? h.substring(0, colon) : h;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(h.substring(colon + 1)) : 22;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("settings.hosts: '" + h + "' is not address[:port]");
            }
            hosts.add(new StaticHost(h, address, port, null));
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("settings.hosts: at least one machine is required");
        }
        StaticProvider provider = new StaticProvider(s.path("state-dir"), login, hosts, s.duration("health-timeout", Duration.ofSeconds(10)));
        return new OpenProvider(provider, new SshProbe());
    }
}
