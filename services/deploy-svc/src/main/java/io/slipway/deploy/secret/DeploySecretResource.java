package io.slipway.deploy.secret;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import java.util.Map;

/**
 * Named secrets for Clusterfiles ({@code ${secret:<name>}}): operators set and delete them, viewers see their names and
 * who changed them when; no answer ever holds a value.
 */
@Path("/api/v1/deploy/secrets")
public class DeploySecretResource {
    private final DeploySecrets secrets;

    DeploySecretResource(DeploySecrets secrets) {
        this.secrets = secrets;
    }

    /** Body: {@code {"value": "..."}}. 201 when new, 200 when replaced. */
    @PUT
    @Path("/{name}")
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> put(@PathParam("name") String name, Map<String, String> body, @HeaderParam("traceparent") String traceparent,
                             @Context SecurityContext security) {
        if (body == null || !body.containsKey("value")) {
            throw new InvalidRequest("value", "a JSON object {\"value\": \"...\"} is required");
        }
        return secrets.put(name, body.get("value"), user(security), EventContext.newRequest(traceparent))
                .map(existed -> Response.status(existed ? 200 : 201).entity(Map.of("name", name)).build());
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed({"operator", "admin"})
    public Uni<Response> delete(@PathParam("name") String name, @HeaderParam("traceparent") String traceparent,
                                @Context SecurityContext security) {
        return secrets.delete(name, user(security), EventContext.newRequest(traceparent))
                .map(existed -> {
                    if (!existed) {
                        throw NotFound.of("secret", name);
                    }
                    return Response.noContent().build();
                });
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Uni<List<DeploySecrets.Listed>> list() {
        return secrets.list();
    }

    private static String user(SecurityContext security) {
        return security.getUserPrincipal() == null ? "anonymous" : security.getUserPrincipal().getName();
    }
}
