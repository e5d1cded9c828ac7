package io.slipway.deploy.catalog;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.slipway.backbone.api.NotFound;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;

/** Builds deploy-svc knows of (its read model), so a run can refer to an image by build. */
@Path("/api/v1/deploy/builds")
@RolesAllowed({"viewer", "operator", "admin"})
public class KnownBuildResource {

    @GET
    @Path("/{id}")
    @WithSession
    public Uni<KnownBuild> get(@PathParam("id") String id) {
        return Panache.getSession().chain(s -> s.find(KnownBuild.class, id)).map(b -> {
            if (b == null) {
                throw NotFound.of("build", id);
            }
            return b;
        });
    }

    @GET
    @WithSession
    public Uni<List<KnownBuild>> list() {
        return Panache.getSession().chain(s -> s.createQuery("from KnownBuild order by requestedAt desc", KnownBuild.class)
                .setMaxResults(1000).getResultList());
    }
}
