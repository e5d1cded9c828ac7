package io.slipway.backbone.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/** Renders {@link InvalidRequest} as {@code 400 {"error": ..., "field": ...}}. */
@Provider
public class InvalidRequestMapper implements ExceptionMapper<InvalidRequest> {
    @Override
    public Response toResponse(InvalidRequest e) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", e.getMessage(), "field", e.field())).build();
    }
}
