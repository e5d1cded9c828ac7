package io.slipway.workload.webhook;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversionBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpsServerStart;
import io.slipway.retry.Backoff;
import io.slipway.workload.kruise.KruiseResources;
import io.slipway.workload.kruise.sidecarset.SidecarSet;
import io.slipway.workload.kruise.sidecarset.SidecarSetConversion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Registers workload-svc's webhooks with the API server once its HTTPS server listens, as Kruise's manager does: a
 * MutatingWebhookConfiguration whose webhook {@code msidecarset.slipway.io} gets every pod CREATE (outside the
 * excluded namespaces) and a ValidatingWebhookConfiguration whose {@code vsidecarset.slipway.io} gets every SidecarSet
 * CREATE and UPDATE, both failing closed, both trusting exactly the configured CA. Created, or replaced when they
 * differ. Then, as Kruise's manager does for its CRDs, every CRD workload-svc serves in more than one version gets
 * {@code spec.conversion} pointing at {@code /webhooks/convert} with the same CA (the checked-in CRDs say
 * {@code None}, which would only rewrite apiVersion and prune v1alpha1's own fields). An API server out of reach, or
 * a CRD not installed yet, is retried with backoff in the background. A URL without a port names this
 * instance's HTTPS port as it listens (a random one in tests).
 */
@ApplicationScoped
public class WebhookRegistration {
    private static final Logger LOG = Logger.getLogger(WebhookRegistration.class);
    public static final String POD_WEBHOOK = "msidecarset.slipway.io";
    public static final String SIDECARSET_WEBHOOK = "vsidecarset.slipway.io";
    static final String POD_PATH = "/webhooks/mutate-pod";
    static final String SIDECARSET_PATH = "/webhooks/validate-sidecarset";
    static final String CONVERT_PATH = "/webhooks/convert";
    private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    private final KubernetesClient client;
    private final WebhookConfig config;
    private final HttpServer server;
    private final AtomicBoolean stopped = new AtomicBoolean();

    WebhookRegistration(KubernetesClient client, WebhookConfig config, HttpServer server) {
        this.client = client;
        this.config = config;
        this.server = server;
    }

    /** The API server can call the webhooks only once HTTPS listens: registering earlier would fail pod creation. */
    void start(@ObservesAsync HttpsServerStart ignored) {
        if (!config.enabled() || config.caBundleFile().isEmpty() || config.url().isEmpty() && config.service().isEmpty()) {
            LOG.info("webhooks are not registered (set slipway.workload.webhook.url or .service, and .ca-bundle-file)");
            return;
        }
        byte[] caBundle = caBundle();
        try {
            register(caBundle);
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot register the webhooks with %s yet (%s); retrying", client.getMasterUrl(), e.getMessage());
            Thread.ofVirtual().name("webhook-registration").start(() -> retry(caBundle));
        }
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped.set(true);
    }

    private void retry(byte[] caBundle) {
        for (int attempt = 1; !stopped.get(); attempt++) {
            try {
                Thread.sleep(BACKOFF.forRetry(attempt).toMillis());
                register(caBundle);
                return;
            } catch (KubernetesClientException e) {
                LOG.debugf("registering the webhooks failed again: %s", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void register(byte[] caBundle) {
        MutatingWebhookConfiguration mutating = mutating(caBundle);
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(mutating).createOr(c -> c.update());
        ValidatingWebhookConfiguration validating = validating(caBundle);
        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(validating).createOr(c -> c.update());
        LOG.infof("registered webhooks %s and %s (%s) with %s", POD_WEBHOOK, SIDECARSET_WEBHOOK, where(POD_PATH), client.getMasterUrl());
        for (String crd : convertedCrds()) {
            var resource = client.apiextensions().v1().customResourceDefinitions().withName(crd);
            if (resource.get() == null) {
                throw new KubernetesClientException("the CRD " + crd + " is not installed (kubectl apply -f deploy/k8s/crds)");
            }
            CustomResourceConversion conversion = conversion(caBundle);
            resource.edit(c -> {
                c.getSpec().setConversion(conversion);
                return c;
            });
        }
        LOG.infof("CRDs %s convert through %s", convertedCrds(), where(CONVERT_PATH));
    }

    /** The CRDs served in more than one version (plural.group), from the resource classes the CRDs are generated from. */
    static List<String> convertedCrds() {
        Map<String, Integer> versions = new TreeMap<>();
        for (Class<? extends HasMetadata> type : KruiseResources.ALL) {
            versions.merge(HasMetadata.getPlural(type) + "." + HasMetadata.getGroup(type), 1, Integer::sum);
        }
        return versions.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    CustomResourceConversion conversion(byte[] caBundle) {
        WebhookClientConfig admission = clientConfig(CONVERT_PATH, caBundle);
        var builder = new CustomResourceConversionBuilder().withStrategy("Webhook").withNewWebhook()
                .withConversionReviewVersions("v1").withNewClientConfig().withCaBundle(admission.getCaBundle());
        if (admission.getService() != null) {
            var s = admission.getService();
            builder = builder.withNewService().withNamespace(s.getNamespace()).withName(s.getName()).withPort(s.getPort())
                    .withPath(s.getPath()).endService();
        } else {
            builder = builder.withUrl(admission.getUrl());
        }
        return builder.endClientConfig().endWebhook().build();
    }

    MutatingWebhookConfiguration mutating(byte[] caBundle) {
        RuleWithOperations pods = new RuleWithOperationsBuilder().withOperations("CREATE").withApiGroups("").withApiVersions("v1")
                .withResources("pods").withScope("Namespaced").build();
        return new MutatingWebhookConfigurationBuilder().withNewMetadata().withName(config.configurationName()).endMetadata()
                .addNewWebhook().withName(POD_WEBHOOK).withRules(pods).withFailurePolicy("Fail").withSideEffects("None")
                .withAdmissionReviewVersions("v1").withTimeoutSeconds(config.timeoutSeconds()).withReinvocationPolicy("Never")
                .withNamespaceSelector(notExcluded()).withClientConfig(clientConfig(POD_PATH, caBundle)).endWebhook().build();
    }

    ValidatingWebhookConfiguration validating(byte[] caBundle) {
        RuleWithOperations sidecarSets = new RuleWithOperationsBuilder().withOperations("CREATE", "UPDATE").withApiGroups(SidecarSet.GROUP)
                .withApiVersions("v1alpha1", "v1beta1").withResources("sidecarsets").withScope("Cluster").build();
        return new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName(config.configurationName()).endMetadata()
                .addNewWebhook().withName(SIDECARSET_WEBHOOK).withRules(sidecarSets).withFailurePolicy("Fail").withSideEffects("None")
                .withAdmissionReviewVersions("v1").withTimeoutSeconds(config.timeoutSeconds())
                .withClientConfig(clientConfig(SIDECARSET_PATH, caBundle)).endWebhook().build();
    }

    private LabelSelector notExcluded() {
        List<String> excluded = config.excludedNamespaces();
        return excluded.isEmpty() ? new LabelSelector() : new LabelSelectorBuilder().addNewMatchExpression()
                .withKey(SidecarSetConversion.NAMESPACE_NAME_LABEL).withOperator("NotIn").withValues(excluded).endMatchExpression().build();
    }

    private WebhookClientConfig clientConfig(String path, byte[] caBundle) {
        WebhookClientConfigBuilder c = new WebhookClientConfigBuilder().withCaBundle(Base64.getEncoder().encodeToString(caBundle));
        if (config.service().isPresent()) {
            var s = config.service().get();
            return c.withNewService().withNamespace(s.namespace()).withName(s.name()).withPort(s.port().orElse(443)).withPath(path).endService().build();
        }
        return c.withUrl(where(path)).build();
    }

    private String where(String path) {
        if (config.service().isPresent()) {
            var s = config.service().get();
            return "service " + s.namespace() + "/" + s.name() + ":" + s.port().orElse(443) + path;
        }
        java.net.URI url = config.url().orElseThrow();
        String base = url.getPort() >= 0 ? url.toString() : url.getScheme() + "://" + url.getHost() + ":" + server.getSecurePort()
                + (url.getRawPath() == null ? "" : url.getRawPath());
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }

    private byte[] caBundle() {
        var file = config.caBundleFile().orElseThrow();
        try {
            String pem = Files.readString(file, StandardCharsets.US_ASCII);
            if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalStateException("slipway.workload.webhook.ca-bundle-file " + file + " holds no PEM certificate");
            }
            return pem.getBytes(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read slipway.workload.webhook.ca-bundle-file " + file, e);
        }
    }
}
