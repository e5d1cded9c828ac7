package io.slipway.infra.pool;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

@Provider
public class PoolConflictMapper implements ExceptionMapper<PoolConflict> {
    @Override
    public Response toResponse(PoolConflict e) {
        return Response.status(Response.Status.CONFLICT).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage())).build();
    }
}
