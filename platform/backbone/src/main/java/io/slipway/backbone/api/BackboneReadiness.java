package io.slipway.backbone.api;

import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.consume.IdempotentConsumer;
import io.slipway.backbone.outbox.OutboxSchema;
import io.slipway.backbone.relay.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready unless the relay or a consumer group keeps failing: a few failures in a row mean Kafka or the database is
 * out of reach, and events are waiting (safely, in the WAL or on the topic) rather than flowing.
 */
@Readiness
@ApplicationScoped
public class BackboneReadiness implements HealthCheck {
    static final int FAILURES_BEFORE_DOWN = 3;

    private final BackboneConfig config;
    private final OutboxRelay relay;
    private final IdempotentConsumer consumers;
    private final OutboxSchema outboxSchema;

    BackboneReadiness(BackboneConfig config, OutboxRelay relay, IdempotentConsumer consumers, OutboxSchema outboxSchema) {
        this.outboxSchema = outboxSchema;
        this.config = config;
        this.relay = relay;
        this.consumers = consumers;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder health = HealthCheckResponse.named("slipway-backbone").withData("domain", config.domain());
        boolean up = outboxSchema.ready();
        if (!up) {
            health.withData("outbox", outboxSchema.problem());
        }
        if (!config.relay().enabled()) {
            health.withData("relay", "disabled");
        } else if (relay.consecutiveFailures() >= FAILURES_BEFORE_DOWN) {
            health.withData("relay", "failing (" + relay.consecutiveFailures() + " in a row): " + relay.lastError());
            up = false;
        } else {
            health.withData("relay", relay.isLeader() ? "active" : "standby");
        }
        Map<String, String> failing = consumers.failingGroups(FAILURES_BEFORE_DOWN);
        for (Map.Entry<String, String> group : failing.entrySet()) {
            health.withData("consumer " + group.getKey(), group.getValue());
        }
        return health.status(up && failing.isEmpty()).build();
    }
}
