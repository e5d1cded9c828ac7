package io.slipway.backbone.consume;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * A service's reaction to events of other services. Implement it as a CDI bean: the backbone runs one consumer group
 * per listener, applies each event inside a database transaction that also records the event id (so a redelivered
 * event changes nothing), retries failures with backoff and dead-letters what still fails.
 */
public interface EventListener {

    /** Kafka consumer group; one per listener and service. */
    String group();

    List<String> topics();

    /** Applies the event; runs inside the transaction, so use the reactive Panache session for all writes. */
    Uni<Void> apply(ConsumedEvent event);
}
