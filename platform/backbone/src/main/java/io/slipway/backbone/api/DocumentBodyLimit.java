package io.slipway.backbone.api;

import io.slipway.backbone.BackboneConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A JSON or YAML body larger than {@code slipway.http.max-document-bytes} is a 413 before any of it is read; one
 * without a Content-Length (chunked) is a 411, since its size would only show once it had been buffered. Binary
 * bodies (archives, images) keep the service's {@code quarkus.http.limits.max-body-size}.
 */
public class DocumentBodyLimit {
    /** Bodies that are streamed to disk rather than parsed. */
    private static final Set<String> STREAMED = Set.of("application/octet-stream", "application/x-tar", "application/gzip",
            "application/x-gzip", "application/tar", "application/tar+gzip");

    private final long max;

    DocumentBodyLimit(BackboneConfig config) {
        this.max = config.http().maxDocumentBytes();
    }

    @ServerRequestFilter(preMatching = true)
    public Response limit(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        String encoding = request.getHeaderString("Transfer-Encoding");
        boolean chunked = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
        if ((length == null && !chunked) || streamed(request.getMediaType())) {
            return null;
        }
        if (length == null) {
            return refuse(Response.Status.LENGTH_REQUIRED, "a " + kind(request.getMediaType()) + " body needs a Content-Length (at most "
                    + max + " bytes); it was sent chunked");
        }
        long declared;
        try {
            declared = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return refuse(Response.Status.BAD_REQUEST, "the Content-Length '" + length + "' is not a number");
        }
        if (declared > max) {
            return refuse(Response.Status.REQUEST_ENTITY_TOO_LARGE, "the body is " + declared + " bytes; a "
                    + kind(request.getMediaType()) + " body may be at most " + max);
        }
        return null;
    }

    private static String kind(MediaType type) {
        return type == null ? "document" : type.toString();
    }

    private static boolean streamed(MediaType type) {
        return type != null && (STREAMED.contains((type.getType() + "/" + type.getSubtype()).toLowerCase(Locale.ROOT))
                || type.getType().equalsIgnoreCase("multipart"));
    }

    private static Response refuse(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message, "field", "body")).build();
    }
}
