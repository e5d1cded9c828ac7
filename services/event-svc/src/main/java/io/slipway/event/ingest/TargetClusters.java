package io.slipway.event.ingest;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Connects to a target cluster as configured: a kubeconfig context, or the pod's service account. */
final class TargetClusters {
    private static final String DISABLE_DNS_RESOLVER = "vertx.disableDnsResolver";

    private TargetClusters() {
    }

    /**
     * A client for cluster {@code name} over {@code vertx} (its event loop opens the watches, see {@link EventStream});
     * errors name the configuration key and the file at fault.
     */
    static KubernetesClient connect(String name, IngestConfig.Cluster target, Vertx vertx) {
        String prefix = "slipway.ingest.clusters." + name + ".";
        Config config;
        if (target.inCluster()) {
            if (target.kubeconfig().isPresent() || target.context().isPresent()) {
                throw new IllegalArgumentException(prefix + "in-cluster=true cannot be combined with " + prefix + "kubeconfig or "
                        + prefix + "context");
            }
            config = Config.autoConfigure(null);
        } else if (target.kubeconfig().isPresent()) {
            Path file = Path.of(target.kubeconfig().get());
            config = Config.fromKubeconfig(contextIn(file, target.context().orElse(null), prefix), file.toFile());
        } else {
            config = Config.autoConfigure(target.context().orElse(null));
        }
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new VertxHttpClientFactory(vertx)).build();
    }

    /**
     * A Vert.x instance for one cluster's client, made the way fabric8 makes its own: daemon threads, no file caching,
     * and the JDK's name resolution (Vert.x's asynchronous resolver is switched off while the instance is created).
     */
    static Vertx vertx() {
        String resolver = System.getProperty(DISABLE_DNS_RESOLVER);
        try {
            System.setProperty(DISABLE_DNS_RESOLVER, "true");
            return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setUseDaemonThread(true)
                    .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        } finally {
            if (resolver == null) {
                System.clearProperty(DISABLE_DNS_RESOLVER);
            } else {
                System.setProperty(DISABLE_DNS_RESOLVER, resolver);
            }
        }
    }

    /** The context to use from {@code file}: the one asked for, which must exist, or the file's current one. */
    private static String contextIn(Path file, String context, String prefix) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(prefix + "kubeconfig: no such file " + file.toAbsolutePath());
        }
        io.fabric8.kubernetes.api.model.Config kubeconfig;
        try (InputStream in = Files.newInputStream(file)) {
            kubeconfig = new KubernetesSerialization().unmarshal(in, io.fabric8.kubernetes.api.model.Config.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(prefix + "kubeconfig: " + file.toAbsolutePath() + " is not a readable kubeconfig: "
                    + e.getMessage(), e);
        }
        List<String> names = new ArrayList<>();
        if (kubeconfig.getContexts() != null) {
            kubeconfig.getContexts().stream().map(NamedContext::getName).forEach(names::add);
        }
        String wanted = context != null ? context : kubeconfig.getCurrentContext();
        if (wanted == null || !names.contains(wanted)) {
            throw new IllegalArgumentException(prefix + "context: " + file.toAbsolutePath() + " has no context '" + wanted
                    + "' (it has: " + String.join(", ", names) + ")");
        }
        return wanted;
    }
}
