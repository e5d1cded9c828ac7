package io.slipway.backbone.api;

import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.consume.ConsumerChannels;
import io.slipway.backbone.relay.OutboxRelay;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.List;
import java.util.Map;

/** This instance's view of the backbone: its domain, whether it is the relay, and its consumer groups' lag. */
@Path("/api/v1/backbone")
@RolesAllowed({"viewer", "operator", "admin"})
public class BackboneResource {
    private final BackboneConfig config;
    private final OutboxRelay relay;
    private final ConsumerChannels consumers;

    BackboneResource(BackboneConfig config, OutboxRelay relay, ConsumerChannels consumers) {
        this.config = config;
        this.relay = relay;
        this.consumers = consumers;
    }

    @GET
    public Uni<Status> status() {
        return consumers.lagByGroup().map(lag -> new Status(config.domain(), relay.isLeader(), lag, consumers.topicsByGroup()));
    }

    /** {@code topics} names what each group of {@code consumerLag} reads, so lag can be shown per topic. */
    public record Status(String domain, boolean relayLeader, Map<String, Long> consumerLag, Map<String, List<String>> topics) {
    }
}
