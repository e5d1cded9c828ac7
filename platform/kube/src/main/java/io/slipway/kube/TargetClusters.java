package io.slipway.kube;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Connects to a target cluster as configured. The base is the Kubernetes client configuration Quarkus produces
 * ({@code quarkus.kubernetes-client.*}: API server URL, token, CA and client certificates, trust, namespace, timeouts;
 * the pod's service account when running in a cluster; fabric8's own defaults outside Quarkus). A cluster without
 * {@code kubeconfig} or {@code context} is that configuration; a named one takes its API server and credentials from
 * its kubeconfig context and everything else (timeouts, retries, TLS versions, trust, proxies) from the base.
 * Used by event-svc ({@code slipway.ingest.clusters.<name>.*}) and workload-svc ({@code slipway.workload.clusters.<name>.*}).
 */
public final class TargetClusters {
    private static final String DISABLE_DNS_RESOLVER = "vertx.disableDnsResolver";

    private TargetClusters() {
    }

    /**
     * A client with {@code config} over {@code vertx} (its event loop runs the client's watches and requests), so that
     * one cluster's clients share neither threads nor connections with another's.
     */
    public static KubernetesClient connect(Config config, Vertx vertx) {
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new VertxHttpClientFactory(vertx)).build();
    }

    /**
     * The client configuration of the cluster configured under {@code prefix} (e.g. {@code slipway.ingest.clusters.east.},
     * which errors name with the key at fault) on top of {@code base} (see the class comment). {@code inCluster} says
     * the cluster is the one the service runs in, and excludes a kubeconfig or context.
     */
    public static Config configOf(String prefix, Optional<String> kubeconfig, Optional<String> context, boolean inCluster, Config base) {
        if (inCluster && (kubeconfig.isPresent() || context.isPresent())) {
            throw new IllegalArgumentException(prefix + "in-cluster=true cannot be combined with " + prefix + "kubeconfig or "
                    + prefix + "context");
        }
        if (kubeconfig.isEmpty() && context.isEmpty()) {
            return base;
        }
        Path file = kubeconfig.map(Path::of).orElseGet(TargetClusters::defaultKubeconfig);
        String key = prefix + (kubeconfig.isPresent() ? "kubeconfig" : "context");
        Config named = Config.fromKubeconfig(contextIn(file, context.orElse(null), key, prefix), file.toFile());
        return onTopOf(base, named);
    }

    /** {@code named}'s API server, credentials and namespace with {@code base}'s timeouts, retries and TLS settings. */
    private static Config onTopOf(Config base, Config named) {
        ConfigBuilder b = new ConfigBuilder(named)
                .withConnectionTimeout(base.getConnectionTimeout())
                .withRequestTimeout(base.getRequestTimeout())
                .withWatchReconnectInterval(base.getWatchReconnectInterval())
                .withWatchReconnectLimit(base.getWatchReconnectLimit())
                .withRequestRetryBackoffInterval(base.getRequestRetryBackoffInterval())
                .withRequestRetryBackoffLimit(base.getRequestRetryBackoffLimit())
                .withTlsVersions(base.getTlsVersions())
                // a kubeconfig's insecure-skip-tls-verify, or trust-certs set for every cluster
                .withTrustCerts(named.isTrustCerts() || base.isTrustCerts());
        if (named.getHttpProxy() == null && named.getHttpsProxy() == null) {
            b.withHttpProxy(base.getHttpProxy()).withHttpsProxy(base.getHttpsProxy()).withNoProxy(base.getNoProxy())
                    .withProxyUsername(base.getProxyUsername()).withProxyPassword(base.getProxyPassword());
        }
        return b.build();
    }

    /** The kubeconfig kubectl would read: the first file of {@code $KUBECONFIG}, else {@code ~/.kube/config}. */
    private static Path defaultKubeconfig() {
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env.split(File.pathSeparator)[0]);
        }
        return Path.of(System.getProperty("user.home"), ".kube", "config");
    }

    /**
     * A Vert.x instance for one cluster's client, made the way fabric8 makes its own: daemon threads, no file caching,
     * and the JDK's name resolution (Vert.x's asynchronous resolver is switched off while the instance is created).
     */
    public static Vertx vertx() {
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
    private static String contextIn(Path file, String context, String fileKey, String prefix) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(fileKey + ": no such file " + file.toAbsolutePath());
        }
        io.fabric8.kubernetes.api.model.Config kubeconfig;
        try (InputStream in = Files.newInputStream(file)) {
            kubeconfig = new KubernetesSerialization().unmarshal(in, io.fabric8.kubernetes.api.model.Config.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(fileKey + ": " + file.toAbsolutePath() + " is not a readable kubeconfig: "
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
