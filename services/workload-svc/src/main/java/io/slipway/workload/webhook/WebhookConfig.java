package io.slipway.workload.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * workload-svc's admission webhooks: the pod webhook that injects SidecarSets and the SidecarSet validating webhook,
 * and how they are registered with the API server. The API server calls them over HTTPS only: the service's TLS
 * certificate is Quarkus's ({@code quarkus.tls.*}, served on {@code quarkus.http.ssl-port}).
 */
@ConfigMapping(prefix = "slipway.workload.webhook")
public interface WebhookConfig {
    /**
     * Whether this instance answers admission reviews (it then keeps the SidecarSets and namespaces in a watch cache);
     * application.properties makes it follow {@code slipway.workload.controllers}.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * The base URL of this service's HTTPS endpoint as the API server reaches it ({@code https://host:port}); with
     * {@code ca-bundle-file}, the webhooks are registered with it once HTTPS listens. Without a port, this instance's
     * HTTPS port. Outside a cluster.
     */
    Optional<URI> url();

    /** The Service the API server reaches this service by (in a cluster), instead of {@code url}. */
    Optional<ServiceReference> service();

    /** PEM file of the CA that signed this service's TLS certificate: the API server trusts exactly it. */
    Optional<Path> caBundleFile();

    /** The name of the MutatingWebhookConfiguration and of the ValidatingWebhookConfiguration it registers. */
    @WithDefault("slipway-workload")
    String configurationName();

    /**
     * Namespaces whose pods never go to the pod webhook: pods that must start while workload-svc is down (the webhook
     * fails closed). Add workload-svc's own namespace.
     */
    @WithDefault("kube-system")
    List<String> excludedNamespaces();

    /** How long the API server waits for an answer before it refuses the request. */
    @WithDefault("10")
    int timeoutSeconds();

    /** A Service in front of workload-svc's HTTPS port. */
    interface ServiceReference {
        /** The Service's namespace. */
        String namespace();

        /** The Service's name. */
        String name();

        /** The Service's port that leads to the HTTPS port; 443 when absent. */
        java.util.OptionalInt port();
    }
}
