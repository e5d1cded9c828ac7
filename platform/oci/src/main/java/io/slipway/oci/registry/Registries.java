package io.slipway.oci.registry;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registries a process talks to: one {@link RegistryClient} per host, created on first use from an explicit
 * {@link RegistryConfig} when one was given, else HTTPS with the system trust; credentials come from the config or,
 * failing that, from the {@link CredentialStore} ({@code login}).
 */
public final class Registries implements AutoCloseable {

    private final Map<String, RegistryConfig> configs;
    private final CredentialStore credentialStore;
    private final UnaryOperator<RegistryConfig> defaults;
    private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

    private Registries(Map<String, RegistryConfig> configs, CredentialStore credentialStore, UnaryOperator<RegistryConfig> defaults) {
        this.configs = Map.copyOf(configs);
        this.credentialStore = credentialStore;
        this.defaults = defaults;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Registries configured by exactly these configs (others: HTTPS, anonymous). */
    public static Registries of(RegistryConfig... configs) {
        Builder b = builder();
        for (RegistryConfig c : configs) {
            b.config(c);
        }
        return b.build();
    }

    /** The config that {@link #client} uses for {@code registry}. */
    public RegistryConfig config(String registry) throws IOException {
        RegistryConfig config = configs.containsKey(registry) ? configs.get(registry) : defaults.apply(RegistryConfig.of(registry));
        if (config.credentials() == null && credentialStore != null) {
            Optional<Credentials> stored = credentialStore.find(registry);
            if (stored.isPresent()) {
                config = config.withCredentials(stored.get());
            }
        }
        return config;
    }

    public RegistryClient client(String registry) throws IOException {
        RegistryClient existing = clients.get(registry);
        if (existing != null) {
            return existing;
        }
        RegistryClient created = RegistryClient.open(config(registry));
        RegistryClient raced = clients.putIfAbsent(registry, created);
        if (raced != null) {
            created.close();
            return raced;
        }
        return created;
    }

    @Override
    public void close() {
        clients.values().forEach(RegistryClient::close);
        clients.clear();
    }

    /** Collects per-registry configs and the login store. */
    public static final class Builder {
        private final Map<String, RegistryConfig> configs = new HashMap<>();
        private CredentialStore credentialStore;
        private UnaryOperator<RegistryConfig> defaults = UnaryOperator.identity();

        /** Adjusts the config of registries given no explicit config (e.g. plain HTTP for loopback hosts). */
        public Builder defaults(UnaryOperator<RegistryConfig> adjust) {
            this.defaults = adjust;
            return this;
        }

        public Builder config(RegistryConfig config) {
            configs.put(config.host(), config);
            return this;
        }

        public Builder credentialStore(CredentialStore store) {
            this.credentialStore = store;
            return this;
        }

        public Registries build() {
            return new Registries(configs, credentialStore, defaults);
        }
    }
}
