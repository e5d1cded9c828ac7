package io.slipway.workload.component;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Migrates Components to the storage version, as kube-storage-version-migrator would: every write re-encodes an object
 * in the CRD's storage version, and the controller writes each Component's status (stamped
 * {@code status.storedVersion}) on its first look and on every change. Once every Component carries the stamp, no
 * object is stored as v1alpha1 any more and {@code status.storedVersions} of the CRD is set to the storage version
 * alone, so a later release can stop serving v1alpha1. Looked at most every {@link #EVERY}, by the instance that runs
 * the default shard (it lists every Component, whichever shard reconciles it).
 */
final class StorageVersions {
    private static final Logger LOG = Logger.getLogger(StorageVersions.class);
    static final String STORAGE = "v1beta1";
    static final String CRD = "components." + Component.GROUP;
    static final Duration EVERY = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final Clock clock;
    private volatile Instant next = Instant.MIN;
    private volatile boolean done;

    StorageVersions(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Whether objects may still be stored in another version: the reconciler looks again until it is done. */
    boolean pending() {
        return !done;
    }

    /** Finishes the migration when every Component has been rewritten; at most once per {@link #EVERY}. */
    synchronized void check() {
        Instant now = clock.instant();
        if (done || now.isBefore(next)) {
            return;
        }
        next = now.plus(EVERY);
        try {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
            if (crd == null) {
                return;
            }
            List<String> stored = crd.getStatus() == null || crd.getStatus().getStoredVersions() == null ? List.of() : crd.getStatus().getStoredVersions();
            if (stored.isEmpty() || stored.equals(List.of(STORAGE))) {
                done = true;
                return;
            }
            long behind = client.resources(Component.class).inAnyNamespace().list().getItems().stream()
                    .filter(c -> c.getStatus() == null || !STORAGE.equals(c.getStatus().storedVersion)).count();
            if (behind > 0) {
                LOG.debugf("%d Component(s) not yet rewritten as %s; CRD storedVersions stay %s", behind, STORAGE, stored);
                return;
            }
            client.apiextensions().v1().customResourceDefinitions().withName(CRD).editStatus(c -> {
                c.getStatus().setStoredVersions(List.of(STORAGE));
                return c;
            });
            done = true;
            LOG.infof("every Component is stored as %s: CRD %s storedVersions %s -> [%s]", STORAGE, CRD, stored, STORAGE);
        } catch (KubernetesClientException e) {
            LOG.warnf("storage version migration of %s not finished this time: %s", CRD, e.getMessage());
        }
    }
}
