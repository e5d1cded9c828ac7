package io.slipway.event.route;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The routing configuration over REST: read it (secrets masked) and replace it (checked completely first: a 400 names
 * the line and the field and nothing changes; masked secrets sent back keep their stored values). A replacement is a
 * new version in the database with its {@code RoutesChanged} event, which every instance applies.
 */
@Path("/api/v1/sinks/routes")
public class RouteResource {
    static final String YAML = "application/yaml";

    private final RouteService routes;

    RouteResource(RouteService routes) {
        this.routes = routes;
    }

    @GET
    @Produces({YAML, MediaType.TEXT_PLAIN})
    @RolesAllowed({"viewer", "operator", "admin"})
    public Response get() {
        RouteStore store = routes.store();
        Response.ResponseBuilder r = Response.ok(store.current().maskedText(), YAML);
        if (store.lastError() != null) {
            // the file or the newest version holds something else than what is in force; say so without a second request
            r.header("X-Slipway-Routes-Error", store.lastError().replaceAll("[\\r\\n]+", " "));
        }
        return r.build();
    }

    @PUT
    @Consumes({YAML, "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"operator", "admin"})
    @Blocking
    public Map<String, Object> put(String text, @HeaderParam("traceparent") String traceparent, @Context SecurityContext security) {
        RouteConfig config;
        try {
            // a receiver the sinks could never reach is refused by the store (ConfigError naming it), not dead-lettered later
            config = routes.store().replace(text == null ? "" : text, operator(security), EventContext.newRequest(traceparent));
        } catch (ConfigError e) {
            throw new InvalidRequest(e.path().isEmpty() ? "body" : e.path(), e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", routes.store().version());
        out.put("receivers", config.receivers().stream().map(r -> Map.of("name", r.name(), "kind", r.target().kind())).toList());
        return out;
    }

    private static String operator(SecurityContext security) {
        return security.getUserPrincipal() == null ? "anonymous" : security.getUserPrincipal().getName();
    }
}
