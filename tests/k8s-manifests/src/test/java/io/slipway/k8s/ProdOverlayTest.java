package io.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What overlays/prod adds to the base: the services' files on claims, workload-svc's webhooks, the API on TLS. */
class ProdOverlayTest {
    /** The services whose slipway.data-dir holds state a restart must keep (deploy/k8s/README.md, "Storage"). */
    private static final List<String> STATEFUL = List.of("build-svc", "deploy-svc", "event-svc", "infra-svc");

    @Test
    void servicesKeepTheirFilesOnAClaimAndAreReplacedOnlyOnceTheOldPodIsGone() {
        Install prod = Install.of("prod");
        for (String name : STATEFUL) {
            Deployment d = prod.named(Deployment.class, name);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Volume data = InstallTest.volume(pod, "data");
            assertThat(data.getEmptyDir()).as(name + ": data not on emptyDir").isNull();
            assertThat(data.getPersistentVolumeClaim()).as(name + ": data on a claim").isNotNull();
            PersistentVolumeClaim claim = prod.named(PersistentVolumeClaim.class, data.getPersistentVolumeClaim().getClaimName());
            assertThat(claim.getSpec().getAccessModes()).as(name + ": access mode").containsExactly("ReadWriteOnce");
            assertThat(d.getSpec().getReplicas()).as(name + ": one pod per ReadWriteOnce claim").isEqualTo(1);
            assertThat(d.getSpec().getStrategy().getType()).as(name + ": Recreate").isEqualTo("Recreate");
        }
    }

    @Test
    void workloadSvcServesItsWebhooksOverTlsBehindItsOwnService() {
        Install prod = Install.of("prod");
        Deployment d = prod.named(Deployment.class, "workload-svc");
        var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(InstallTest.env(container, "SLIPWAY_WORKLOAD_WEBHOOK_ENABLED")).isEqualTo("true");
        assertThat(InstallTest.volume(d.getSpec().getTemplate().getSpec(), "webhook-tls").getSecret().getSecretName())
                .isEqualTo("workload-svc-webhook-tls");
        Service webhook = prod.named(Service.class, "workload-svc-webhook");
        assertThat(webhook.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(443);
            assertThat(container.getPorts()).anySatisfy(c -> assertThat(c.getName()).isEqualTo(p.getTargetPort().getStrVal()));
        });
        assertThat(d.getSpec().getReplicas()).as("a standby for the controllers' Lease").isEqualTo(2);
    }

    @Test
    void theApiIsServedOnItsHostWithTls() {
        for (Ingress ingress : Install.of("prod").all(Ingress.class)) {
            assertThat(ingress.getSpec().getTls()).as(ingress.getMetadata().getName()).isNotEmpty();
            assertThat(ingress.getSpec().getRules()).allSatisfy(r -> assertThat(r.getHost()).isNotBlank());
        }
    }
}
