package io.slipway.backbone.api;

import io.slipway.backbone.rebuild.ReadModelRebuild;
import io.slipway.backbone.rebuild.RebuildReport;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.sql.SQLException;
import java.util.List;

/**
 * This service's read models (what it keeps from other services' events) and their rebuild from the topics
 * ({@code slipway replay rebuild <service>}). A service with none answers an empty list: its tables are its own
 * aggregates, written with their events, and its DESIGN.md says why they cannot be rebuilt from topics.
 */
@Path("/api/v1/admin/read-models")
public class ReadModelResource {
    private final ReadModelRebuild rebuild;

    ReadModelResource(ReadModelRebuild rebuild) {
        this.rebuild = rebuild;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<ReadModelRebuild.Declared> declared() {
        return rebuild.declared();
    }

    /** Rebuilds every read model into a fresh schema and compares it with the live one; {@code swap} replaces the live rows. */
    @POST
    @Path("/rebuild")
    @RolesAllowed("admin")
    @Blocking
    public RebuildReport rebuild(@QueryParam("swap") @DefaultValue("false") boolean swap) throws SQLException {
        return rebuild.rebuild(swap);
    }
}
