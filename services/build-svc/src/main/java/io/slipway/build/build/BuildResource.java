package io.slipway.build.build;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/** REST edge of builds: commands answer 202 with the build's location; the work follows through events. */
@Path("/api/v1/builds")
public class BuildResource {
    private final BuildRequests builds;

    BuildResource(BuildRequests builds) {
        this.builds = builds;
    }

    @POST
    @RolesAllowed({"operator", "admin"})
    public Uni<Response> request(BuildRequest request, @HeaderParam("traceparent") String traceparent,
                                 @Context SecurityContext security, @Context UriInfo uri) {
        if (request == null) {
            throw new InvalidRequest("body", "a JSON body with at least \"image\" is required");
        }
        return builds.request(request, security.getUserPrincipal().getName(), EventContext.newRequest(traceparent))
                .map(b -> Response.accepted(BuildView.of(b)).location(uri.getAbsolutePathBuilder().path(b.id).build()).build());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<BuildView> get(@PathParam("id") String id) {
        return builds.find(id).map(b -> {
            if (b == null) {
                throw NotFound.of("build", id);
            }
            return BuildView.of(b);
        });
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<List<BuildView>> list(@QueryParam("limit") @DefaultValue("100") int limit) {
        return builds.list(Math.max(1, Math.min(limit, 1000))).map(l -> l.stream().map(BuildView::of).toList());
    }

    /** What clients see of a build. */
    public record BuildView(String id, String image, String kubefile, String context, String state, String requestedBy,
                            String requestedAt, String correlationId) {
        static BuildView of(Build b) {
            return new BuildView(b.id, b.image, b.kubefile, b.context, b.state.name(), b.requestedBy, b.requestedAt.toString(), b.correlationId);
        }
    }
}
