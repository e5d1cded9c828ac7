package io.slipway.workload.component;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.slipway.backbone.api.NotFound;
import io.slipway.workload.operator.ClusterClients;
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
 * {@code .../status} is a Server-Sent Event stream of every change until it settles. The cluster is one this instance
 * manages ({@code slipway.workload.cluster} or one of {@code slipway.workload.clusters}); another is a 404 that names
 * the ones it knows.
 */
@Path("/api/v1/components")
public class ComponentResource {
    private final ComponentView view;
    private final ClusterClients clusters;

    ComponentResource(ComponentView view, ClusterClients clusters) {
        this.view = view;
        this.clusters = clusters;
    }

    @GET
    @Path("/{cluster}/{namespace}/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public WorkloadProgress get(@PathParam("cluster") String cluster, @PathParam("namespace") String namespace, @PathParam("name") String name) {
        return view.progress(clusters.get(cluster), namespace, name).orElseThrow(() -> missing(cluster, namespace, name));
    }

    @GET
    @Path("/{cluster}/{namespace}/{name}/status")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public Multi<WorkloadProgress> status(@PathParam("cluster") String cluster, @PathParam("namespace") String namespace,
                                          @PathParam("name") String name) {
        KubernetesClient client = clusters.get(cluster);
        return WorkloadResource.follow(view, client, namespace, name, () -> missing(cluster, namespace, name));
    }

    private static NotFoundException missing(String cluster, String namespace, String name) {
        return NotFound.of("component", cluster + "/" + namespace + "/" + name);
    }
}
