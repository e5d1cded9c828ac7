package io.slipway.backbone.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A request body that is not the JSON expected: 400 naming the field, the line and the column, never a bare 400.
 * One method per exception type, because Quarkus' own mappers for the specific Jackson exceptions would otherwise win.
 */
public class MalformedJsonMapper {

    @ServerExceptionMapper
    public Response syntax(JsonParseException e) {
        return toResponse(e);
    }

    @ServerExceptionMapper
    public Response shape(MismatchedInputException e) {
        return toResponse(e);
    }

    @ServerExceptionMapper
    public Response mapping(JsonMappingException e) {
        return toResponse(e);
    }

    /** Quarkus' JSON reader reports a body it cannot read as a 400 wrapping the Jackson exception. */
    @ServerExceptionMapper
    public Response unreadable(WebApplicationException e) {
        return e.getCause() instanceof JsonProcessingException json && e.getResponse().getStatus() == 400 ? toResponse(json) : e.getResponse();
    }

    static Response toResponse(JsonProcessingException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining(".")).replace(".[", "[")
                : null;
        String problem = e.getOriginalMessage();
        int cut = problem.indexOf(" at [Source");
        body.put("error", "malformed JSON body: " + (cut > 0 ? problem.substring(0, cut) : problem).lines().findFirst().orElse(""));
        if (field != null) {
            body.put("field", field);
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            body.put("line", at.getLineNr());
            body.put("column", at.getColumnNr());
        }
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
