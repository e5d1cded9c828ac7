package io.slipway.infra.pool;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.slipway.infra.request.PoolCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** REST edge of pools: commands answer 202 with the pool's location; the work follows through events. */
@Path("/api/v1/infra/pools")
public class PoolResource {
    private final Pools pools;
    private final PoolCommands commands;

    PoolResource(Pools pools, PoolCommands commands) {
        this.pools = pools;
        this.commands = commands;
    }

    @POST
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(PoolRequest request, @HeaderParam("traceparent") String traceparent,
                                @Context SecurityContext security, @Context UriInfo uri) {
        if (request == null) {
            throw new InvalidRequest("body", "a JSON body with \"poolId\", \"provider\" and \"roles\" is required");
        }
        return commands.request(request, security.getUserPrincipal().getName(), EventContext.newRequest(traceparent))
                .chain(p -> view(p.id))
                .map(v -> Response.accepted(v).location(uri.getAbsolutePathBuilder().path(v.id()).build()).build());
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<List<PoolView>> list(@QueryParam("limit") @DefaultValue("100") int limit) {
        return pools.list(Math.max(1, Math.min(limit, 1000))).map(l -> l.stream().map(p -> PoolView.of(p, null)).toList());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<PoolView> get(@PathParam("id") String id) {
        return view(id);
    }

    /** Deletes the pool: its nodes are released (also after a failed or half-done provisioning), then it is Deleted. */
    @DELETE
    @Path("/{id}")
    @RolesAllowed({"operator", "admin"})
    public Uni<Response> delete(@PathParam("id") String id, @Context UriInfo uri) {
        return commands.delete(id).onItem().ifNull().failWith(() -> NotFound.of("pool", id))
                .chain(p -> view(p.id))
                .map(v -> Response.accepted(v).location(uri.getAbsolutePath()).build());
    }

    /**
     * The pool's progress as Server-Sent Events: its view now, then again each time it changes (a node launched, ran,
     * answered SSH), ending once it is Ready, Failed or Deleted.
     */
    @GET
    @Path("/{id}/events")
    @RolesAllowed({"viewer", "operator", "admin"})
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<PoolView> follow(@PathParam("id") String id) {
        AtomicReference<PoolView> last = new AtomicReference<>();
        AtomicBoolean settled = new AtomicBoolean();
        return view(id).toMulti().concatMap(first -> Multi.createFrom().ticks().every(Duration.ofMillis(250))
                        .onOverflow().drop()
                        .concatMap(tick -> view(id).toMulti())
                        // the settled view is sent, the poll after it ends the stream
                        .select().first(v -> !settled.getAndSet(v.settled())))
                .select().where(v -> !v.equals(last.getAndSet(v)));
    }

    private Uni<PoolView> view(String id) {
        return pools.find(id).onItem().ifNull().failWith(() -> NotFound.of("pool", id))
                .chain(p -> pools.nodesOf(id).map(nodes -> PoolView.of(p, nodes)));
    }
}
