package io.slipway.event.route;

import io.slipway.backbone.EventHeaders;
import io.slipway.events.event.RoutesChanged;
import io.slipway.schemas.EventCodec;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Follows the routing's versions from {@code slipway.event.events}: every {@code RoutesChanged} brings this instance
 * to the version it names (read from the database). Each instance is a consumer group of its own
 * ({@code event-svc.routes.<random uuid>}, see application.properties), so every instance sees every change. Not an
 * idempotent consumer: applying a version is idempotent in itself (versions only move forward), and nothing is written.
 * A version that cannot be read now is not retried here: the store's periodic check brings the instance to the newest
 * version anyway.
 */
@ApplicationScoped
public class RouteChanges {
    private static final Logger LOG = Logger.getLogger(RouteChanges.class);
    /** The channel, configured in application.properties. */
    static final String CHANNEL = "route-changes";

    private final RouteService routes;
    private final EventCodec codec = EventCodec.released();

    RouteChanges(RouteService routes) {
        this.routes = routes;
    }

    @Incoming(CHANNEL)
    @Blocking
    void consume(ConsumerRecord<String, byte[]> record) {
        var type = record.headers().lastHeader(EventHeaders.EVENT_TYPE);
        if (type == null || !RoutesChanged.class.getSimpleName().equals(new String(type.value(), StandardCharsets.UTF_8))) {
            return; // the domain's other events
        }
        try {
            long version = codec.decode(record.value(), RoutesChanged.class).getVersion();
            if (routes.start().follow(version)) {
                LOG.debugf("routing version %d followed from %s-%d@%d", version, record.topic(), record.partition(), record.offset());
            }
        } catch (RuntimeException e) {
            LOG.warnf("a RoutesChanged event (%s-%d@%d) was not applied, the next check of the database will: %s", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
        }
    }
}
