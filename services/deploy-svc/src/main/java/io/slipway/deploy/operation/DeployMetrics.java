package io.slipway.deploy.operation;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * What a Grafana user of deploy-svc looks at (deploy/grafana/slipway.json): each install step per host and how it ended,
 * the bytes sent to hosts over SSH, and each cluster operation (run, apply, scale, delete...) by the state it ended in.
 */
@ApplicationScoped
public class DeployMetrics {
    private final MeterRegistry registry;

    DeployMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A step on a host ended: {@code completed}, {@code skipped} (nothing to do) or {@code failed}. */
    void step(String step, String host, String outcome, Duration took) {
        Timer.builder("slipway.deploy.step").description("Install steps per host, by outcome")
                .tags("step", step, "host", host, "outcome", outcome).register(registry).record(took);
    }

    void sent(String host, long bytes) {
        if (bytes > 0) {
            registry.counter("slipway.deploy.ssh.sent.bytes", "host", host).increment(bytes);
        }
    }

    /** An operation of a cluster ended in {@code state} (Ready, Degraded, Failed, Deleted...). */
    void operation(String operation, String state, Duration took) {
        Timer.builder("slipway.deploy.operation").description("Cluster operations from claim to their end, by the state they left")
                .tags("operation", operation, "outcome", state).publishPercentileHistogram().register(registry).record(took);
    }
}
