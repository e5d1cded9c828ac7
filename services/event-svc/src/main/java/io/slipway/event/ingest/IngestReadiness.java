package io.slipway.event.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** {@code slipway-ingest} in {@code /q/health/ready}: DOWN while a cluster's pipeline keeps failing, naming it and why. */
@Readiness
@ApplicationScoped
public class IngestReadiness implements HealthCheck {
    private final IngestService service;

    IngestReadiness(IngestService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        var failing = service.ingest().failing();
        var response = HealthCheckResponse.named("slipway-ingest").status(failing.isEmpty());
        response.withData("clusters", String.join(",", service.ingest().clusters()));
        failing.forEach(response::withData);
        return response.build();
    }
}
