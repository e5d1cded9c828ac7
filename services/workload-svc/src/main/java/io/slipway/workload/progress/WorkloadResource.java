package io.slipway.workload.progress;

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
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * A workload's rollout, live: {@code GET /api/v1/workloads/{namespace}/{kind}/{name}} answers where it stands, and
 * {@code .../stream} sends a Server-Sent Event with every change until the rollout has settled. Read from the target
 * cluster, so any instance answers, leader or not.
 */
@Path("/api/v1/workloads")
public class WorkloadResource {
    private final Instance<WorkloadView> views;

    WorkloadResource(Instance<WorkloadView> views) {
        this.views = views;
    }

    @GET
    @Path("/{namespace}/{kind}/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public WorkloadProgress get(@PathParam("namespace") String namespace, @PathParam("kind") String kind, @PathParam("name") String name) {
        return view(kind).progress(namespace, name).orElseThrow(() -> new NotFoundException(kind + " " + namespace + "/" + name + " not found"));
    }

    @GET
    @Path("/{namespace}/{kind}/{name}/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @RolesAllowed({"viewer", "operator", "admin"})
    public Multi<WorkloadProgress> stream(@PathParam("namespace") String namespace, @PathParam("kind") String kind, @PathParam("name") String name) {
        WorkloadView view = view(kind);
        AtomicReference<WorkloadProgress> last = new AtomicReference<>();
        AtomicBoolean settled = new AtomicBoolean();
        return Multi.createFrom().ticks().startingAfter(Duration.ZERO).every(Duration.ofMillis(300)).onOverflow().drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> view.progress(namespace, name))
                .map(p -> p.orElseThrow(() -> new NotFoundException(kind + " " + namespace + "/" + name + " not found")))
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
        return view.orElseThrow(() -> new NotFoundException("unknown workload kind '" + kind + "'; known: "
                + String.join(", ", views.stream().map(WorkloadView::plural).sorted().toList())));
    }
}
