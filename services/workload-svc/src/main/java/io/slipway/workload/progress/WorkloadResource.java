package io.slipway.workload.progress;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.slipway.backbone.api.NotFound;
import io.slipway.workload.operator.ClusterClients;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * A workload's rollout, live: {@code GET /api/v1/workloads/{namespace}/{kind}/{name}} answers where it stands, and
 * {@code .../stream} sends a Server-Sent Event with every change until the rollout has settled. Read from the cluster
 * named by {@code ?cluster=} (the home cluster without it), so any instance answers, leader or not.
 */
@Path("/api/v1/workloads")
public class WorkloadResource {
    private static final Duration POLL = Duration.ofMillis(300);
    private final Instance<WorkloadView> views;
    private final ClusterClients clusters;

    WorkloadResource(Instance<WorkloadView> views, ClusterClients clusters) {
        this.views = views;
        this.clusters = clusters;
    }

    @GET
    @Path("/{namespace}/{kind}/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public WorkloadProgress get(@PathParam("namespace") String namespace, @PathParam("kind") String kind, @PathParam("name") String name,
                                @QueryParam("cluster") String cluster) {
        WorkloadView view = view(kind);
        return view.progress(clusters.get(cluster), namespace, name).orElseThrow(() -> missing(kind, namespace, name));
    }

    @GET
    @Path("/{namespace}/{kind}/{name}/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public Multi<WorkloadProgress> stream(@PathParam("namespace") String namespace, @PathParam("kind") String kind, @PathParam("name") String name,
                                          @QueryParam("cluster") String cluster) {
        WorkloadView view = view(kind);
        return follow(view, clusters.get(cluster), namespace, name, () -> missing(kind, namespace, name));
    }

    /**
     * The views of one workload in {@code client}'s cluster as a stream: the first at once (a missing workload is {@code missing} before the stream
     * starts), then every change, polled, until the first settled view; one deleted while followed ends the stream.
     */
    public static Multi<WorkloadProgress> follow(WorkloadView view, KubernetesClient client, String namespace, String name,
                                                 java.util.function.Supplier<RuntimeException> missing) {
        WorkloadProgress first = view.progress(client, namespace, name).orElseThrow(missing);
        AtomicReference<WorkloadProgress> last = new AtomicReference<>();
        AtomicBoolean settled = new AtomicBoolean();
        Multi<WorkloadProgress> later = Multi.createFrom().ticks().every(POLL).onOverflow().drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> view.progress(client, namespace, name))
                .select().first(Optional::isPresent).map(Optional::get);
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(first), later)
                // the settled view is sent, the poll after it ends the stream
                .select().first(p -> !settled.getAndSet(p.settled()))
                .select().where(p -> !p.equals(last.getAndSet(p)));
    }

    /** The kinds this service can show. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<String> kinds() {
        return views.stream().map(WorkloadView::plural).sorted().toList();
    }

    private WorkloadView view(String kind) {
        Optional<WorkloadView> view = views.stream().filter(v -> v.plural().equalsIgnoreCase(kind)).findFirst();
        return view.orElseThrow(() -> new NotFoundException(Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "unknown workload kind '" + kind + "'; known: "
                        + String.join(", ", views.stream().map(WorkloadView::plural).sorted().toList()))).build()));
    }

    private static NotFoundException missing(String kind, String namespace, String name) {
        return NotFound.of(kind.toLowerCase(java.util.Locale.ROOT), namespace + "/" + name);
    }
}
