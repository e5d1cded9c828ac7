package io.slipway.oci.registry;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Which registries are spoken to over plain HTTP: the hosts a user listed, and, as docker does, any registry on a
 * loopback address (localhost, 127.0.0.0/8, [::1]) on any port. Use as {@code Registries.builder().defaults(...)}.
 */
public final class InsecureRegistries implements UnaryOperator<RegistryConfig> {
    private final List<String> hosts;

    private InsecureRegistries(List<String> hosts) {
        this.hosts = List.copyOf(hosts);
    }

    public static InsecureRegistries of(List<String> hosts) {
        return new InsecureRegistries(hosts);
    }

    public boolean isInsecure(String host) {
        String name = host.replaceFirst(":[0-9]+$", "");
        return hosts.contains(host) || name.equals("localhost") || name.startsWith("127.") || name.equals("[::1]");
    }

    @Override
    public RegistryConfig apply(RegistryConfig config) {
        return isInsecure(config.host()) ? config.withPlainHttp(true) : config;
    }
}
