package io.slipway.event.feed;

import io.slipway.backbone.BackboneConfig;
import io.slipway.event.sink.SinkConfig;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Kubernetes events as they arrive, over Server-Sent Events (the web console's events page, or curl). */
@Path("/api/v1/kube-events")
public class KubeEventResource {
    /** The most recent events a follower may ask for per partition before the new ones. */
    static final int MAX_RECENT = 500;

    private final KubeEventFeed feed;

    KubeEventResource(BackboneConfig backbone, SinkConfig sinks) {
        this.feed = new KubeEventFeed(backbone.kafka().bootstrapServers(), sinks.topic());
    }

    /**
     * The last {@code recent} events of each partition of the events topic, then each new one, as the JSON document a
     * store sink receives; until the client goes away.
     */
    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    public Multi<Map<String, Object>> stream(@QueryParam("recent") @DefaultValue("20") int recent) {
        return feed.follow(Math.max(0, Math.min(recent, MAX_RECENT)));
    }
}
