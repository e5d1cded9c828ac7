package io.slipway.workload.component;

import io.slipway.backbone.api.NotFound;
import io.slipway.workload.operator.WorkloadConfig;
import io.slipway.workload.progress.WorkloadProgress;
import io.slipway.workload.progress.WorkloadResource;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * A Component's live status: {@code GET /api/v1/components/{cluster}/{namespace}/{name}} answers where it stands, and
 * {@code .../status} is a Server-Sent Event stream of every change until it settles. The cluster is the one this
 * instance manages ({@code slipway.workload.cluster}); another is a 404 that names the one it knows.
 */
@Path("/api/v1/components")
public class ComponentResource {
    private final ComponentView view;
    private final String cluster;

    ComponentResource(ComponentView view, WorkloadConfig config) {
        this.view = view;
        this.cluster = config.cluster();
    }

    @GET
    @Path("/{cluster}/{namespace}/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public WorkloadProgress get(@PathParam("cluster") String cluster, @PathParam("namespace") String namespace, @PathParam("name") String name) {
        known(cluster);
        return view.progress(namespace, name).orElseThrow(() -> missing(cluster, namespace, name));
    }

    @GET
    @Path("/{cluster}/{namespace}/{name}/status")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public Multi<WorkloadProgress> status(@PathParam("cluster") String cluster, @PathParam("namespace") String namespace,
                                          @PathParam("name") String name) {
        known(cluster);
        return WorkloadResource.follow(view, namespace, name, () -> missing(cluster, namespace, name));
    }

    private void known(String asked) {
        if (!cluster.equals(asked)) {
            throw NotFound.of("cluster", asked + " (this workload-svc manages cluster " + cluster + ")");
        }
    }

    private static NotFoundException missing(String cluster, String namespace, String name) {
        return NotFound.of("component", cluster + "/" + namespace + "/" + name);
    }
}
