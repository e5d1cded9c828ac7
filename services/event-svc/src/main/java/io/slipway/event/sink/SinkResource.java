package io.slipway.event.sink;

import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.slipway.event.route.RouteService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The sinks' state and their replay: re-drive one sink from an offset or a time without touching the others. */
@Path("/api/v1/sinks")
@Produces(MediaType.APPLICATION_JSON)
public class SinkResource {
    private final SinkService service;
    private final RouteService routes;

    SinkResource(SinkService service, RouteService routes) {
        this.service = service;
        this.routes = routes;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public Map<String, Object> list() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", service.sinks().topic());
        out.put("routesVersion", routes.store().version());
        out.put("routesError", routes.store().lastError());
        out.put("sinks", service.sinks().status());
        return out;
    }

    /**
     * Where a replay starts: {@code from} (an ISO-8601 time, or {@code earliest}), or {@code offset} (with an optional
     * {@code partition}; every partition otherwise).
     */
    public record ReplayRequest(String from, Long offset, Integer partition) {
    }

    @POST
    @Path("/{name}/replay")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({"operator", "admin"})
    @Blocking
    public Response replay(@PathParam("name") String name, ReplayRequest request) {
        ReplayFrom from = from(request);
        if (service.sinks().status().stream().noneMatch(s -> s.name().equals(name))) {
            throw NotFound.of("sink", name);
        }
        try {
            Map<Integer, Long> offsets = service.sinks().replay(name, from);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("sink", name);
            out.put("from", String.valueOf(request.from() != null ? request.from() : request.offset()));
            out.put("offsets", offsets);
            return Response.accepted(out).build();
        } catch (SinkReplay.Conflict e) {
            throw new WebApplicationException(Response.status(Response.Status.CONFLICT).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", e.getMessage())).build());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("partition", e.getMessage());
        }
    }

    private static ReplayFrom from(ReplayRequest r) {
        if (r == null || (r.from() == null) == (r.offset() == null)) {
            throw new InvalidRequest("body", "give either \"from\" (an ISO-8601 time such as 2025-01-31T12:00:00Z, or \"earliest\") or \"offset\"");
        }
        if (r.offset() != null) {
            if (r.offset() < 0) {
                throw new InvalidRequest("offset", "offset must not be negative");
            }
            return new ReplayFrom.Offset(r.offset(), r.partition());
        }
        if (r.partition() != null) {
            throw new InvalidRequest("partition", "partition goes with offset, not with from");
        }
        if (r.from().equals("earliest")) {
            return new ReplayFrom.Earliest();
        }
        try {
            return new ReplayFrom.Time(Instant.parse(r.from()));
        } catch (DateTimeParseException e) {
            throw new InvalidRequest("from", "'" + r.from() + "' is not an ISO-8601 time such as 2025-01-31T12:00:00Z (or \"earliest\")");
        }
    }
}
