package io.slipway.backbone.api;

import io.slipway.backbone.outbox.OutboxNotReady;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/** 503 with Retry-After: nothing was recorded, and the same request will succeed once the outbox is ready. */
@Provider
public class OutboxNotReadyMapper implements ExceptionMapper<OutboxNotReady> {
    @Override
    public Response toResponse(OutboxNotReady e) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2").type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "not recorded, retry shortly: the service cannot publish events yet")).build();
    }
}
