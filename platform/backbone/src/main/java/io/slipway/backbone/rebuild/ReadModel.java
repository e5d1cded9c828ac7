package io.slipway.backbone.rebuild;

import io.slipway.backbone.consume.ConsumedEvent;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * A read model a service keeps from events it consumes: the tables it fills, the incoming channel whose events fill
 * them (its topic and consumer group are the channel's configuration), and the effect of one event, the same function
 * the channel's listener applies. A service declares one as a bean; {@link ReadModelRebuild} rebuilds it from the topic.
 */
public interface ReadModel {
    /** A name for people: {@code build-catalog}. */
    String name();

    /** The incoming channel ({@code mp.messaging.incoming.<channel>.*}) whose events fill the tables. */
    String channel();

    /** The tables of the model, in the service's schema; every one has a primary key, by which rows are compared. */
    List<String> tables();

    /** One event's effect on the tables, run inside the transaction that records its id (as the live listener's). */
    Uni<Void> apply(ConsumedEvent event);
}
