package io.slipway.event.ingest;

import io.fabric8.kubernetes.client.Config;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BackboneConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import javax.sql.DataSource;

/**
 * Starts the event ingest with the application and stops it, checkpointed, when the application stops. The target
 * clusters' clients are made from the Kubernetes client configuration of {@code quarkus-kubernetes-client}
 * ({@code quarkus.kubernetes-client.*}, or the pod's service account), read only when a cluster is configured; the
 * checkpoints' connections come from the service's JDBC datasource (the Agroal pool its migrations use).
 */
@ApplicationScoped
public class IngestService {
    private final EventIngest ingest;

    IngestService(IngestConfig config, BackboneConfig backbone, MeterRegistry registry, Instance<Config> clients, DataSource pool) {
        this.ingest = new EventIngest(config, backbone, registry, clients::get, IngestConnections.pooled(pool));
    }

    void onStart(@Observes StartupEvent event) {
        ingest.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        ingest.stop();
    }

    EventIngest ingest() {
        return ingest;
    }
}
