package io.slipway.build.build;

import io.slipway.backbone.EventContext;
import io.slipway.build.BuildData;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.slipway.build.context.BuildContexts;
import io.slipway.build.context.ContextException;
import io.slipway.build.log.BuildLogs;
import io.slipway.build.log.LogFollow;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
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
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** REST edge of builds: commands answer 202 with the build's location; the work follows through events. */
@Path("/api/v1/builds")
public class BuildResource {
    private final BuildRequests builds;
    private final BuildWorker worker;
    private final BuildContexts contexts;
    private final BuildLogs logs;

    BuildResource(BuildRequests builds, BuildWorker worker, BuildData data) {
        this.builds = builds;
        this.worker = worker;
        this.contexts = data.contexts();
        this.logs = data.logs();
    }

    @POST
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> request(BuildRequest request, @HeaderParam("traceparent") String traceparent,
                                 @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
                                 @Context SecurityContext security, @Context UriInfo uri) {
        if (request == null) {
            throw new InvalidRequest("body", "a JSON body with at least \"image\" and \"context\" is required");
        }
        String context = request.validate().context();
        if (context.startsWith("archive:") && !contexts.hasArchive(context.substring("archive:".length()))) {
            throw new InvalidRequest("context", context + " was never uploaded; POST the archive to /api/v1/builds/contexts first");
        }
        String requestedBy = security.getUserPrincipal().getName();
        String buildId = IdempotencyKey.buildId(requestedBy, idempotencyKey);
        Uni<Build> recorded = builds.request(request, buildId, requestedBy, EventContext.newRequest(traceparent));
        if (buildId != null) {
            // two requests with one key at the same moment: the second insert loses, and the first build is the answer
            recorded = recorded.onFailure().recoverWithUni(e -> builds.find(buildId).onItem().ifNull().failWith(e))
                    .invoke(b -> IdempotencyKey.requireSameRequest(b, request));
        }
        return recorded.invoke(worker::wake)
                .map(b -> Response.accepted(BuildView.of(b)).location(uri.getAbsolutePathBuilder().path(b.id).build()).build());
    }

    /** Uploads a build context (tar or tar.gz); the answer's id is what {@code "context": "archive:<id>"} names. */
    @POST
    @Path("/contexts")
    @RolesAllowed({"operator", "admin"})
    @Consumes({"application/x-tar", "application/gzip", "application/octet-stream"})
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Response uploadContext(InputStream body) {
        try {
            String id = contexts.store(body);
            return Response.status(201).entity(Map.of("id", id, "context", "archive:" + id)).build();
        } catch (ContextException e) {
            throw new InvalidRequest("body", e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException("could not store the context archive: " + e.getMessage(), e);
        }
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

    /** The whole log so far, as plain text (also after the build ended). */
    @GET
    @Path("/{id}/log")
    @RolesAllowed({"viewer", "operator", "admin"})
    @Produces(MediaType.TEXT_PLAIN)
    @Blocking
    public String log(@PathParam("id") String id) throws IOException {
        if (!logs.exists(id)) {
            throw NotFound.of("build log", id);
        }
        StringBuilder all = new StringBuilder();
        long offset = 0;
        for (BuildLogs.Chunk chunk; !(chunk = logs.read(id, offset)).text().isEmpty(); offset = chunk.nextOffset()) {
            all.append(chunk.text());
        }
        return all.toString();
    }

    /**
     * The log as Server-Sent Events: what was written so far, then new lines as they come; the stream ends after the
     * build finished and its last line was sent. Each event is one line.
     */
    @GET
    @Path("/{id}/logs")
    @RolesAllowed({"viewer", "operator", "admin"})
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> follow(@PathParam("id") String id) {
        AtomicLong offset = new AtomicLong();
        return builds.find(id).onItem().ifNull().failWith(() -> NotFound.of("build", id)).toMulti()
                .flatMap(first -> LogFollow.lines(Duration.ofMillis(200), () -> builds.find(id).map(b -> {
                    try {
                        boolean finished = b.state.terminal();
                        BuildLogs.Chunk chunk = logs.read(id, offset.get());
                        offset.set(chunk.nextOffset());
                        return new LogFollow.Poll(chunk.text(), finished && chunk.text().isEmpty());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })));
    }

    /** What clients see of a build. */
    public record BuildView(String id, String image, String kubefile, String context, String state, String requestedBy,
                            String requestedAt, String correlationId, List<String> platforms, boolean push, String startedAt,
                            String finishedAt, String digest, int layersBuilt, int layersCached, String lastStep, String failureReason,
                            boolean strict, int imagesUnresolved) {
        static BuildView of(Build b) {
            return new BuildView(b.id, b.image, b.kubefile, b.context, b.state.name(), b.requestedBy, b.requestedAt.toString(),
                    b.correlationId, List.copyOf(b.platforms), b.push, str(b.startedAt), str(b.finishedAt), b.digest,
                    b.layersBuilt, b.layersCached, b.lastStep, b.failureReason, b.strict, b.imagesUnresolved);
        }

        private static String str(Object o) {
            return o == null ? null : o.toString();
        }
    }
}
