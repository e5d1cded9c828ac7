package io.slipway.backbone.api;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** 404 with a body that says what was not found. */
public final class NotFound {
    private NotFound() {
    }

    public static NotFoundException of(String what, String id) {
        return new NotFoundException(Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", what + " " + id + " not found")).build());
    }
}
