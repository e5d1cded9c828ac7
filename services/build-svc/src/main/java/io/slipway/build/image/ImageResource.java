package io.slipway.build.image;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.slipway.build.BuildData;
import io.slipway.events.build.ImageAction;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Reference;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.store.StoredImage;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local image store over REST: {@code images}, {@code inspect}, {@code tag}, {@code rmi}. Names are normalized as
 * docker does ({@code etcd:v1} is {@code docker.io/library/etcd:v1}), so any spelling finds the same image.
 */
@Path("/api/v1/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageResource {
    private final ImageStore store;
    private final BuildData data;
    private final ImageEvents events;

    ImageResource(BuildData data, ImageEvents events) {
        this.data = data;
        this.store = data.store();
        this.events = events;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public List<ImageViews.ImageRow> list() throws IOException {
        List<ImageViews.ImageRow> rows = new ArrayList<>();
        for (StoredImage image : store.images()) {
            rows.add(ImageViews.row(store, image));
        }
        return rows;
    }

    @GET
    @Path("/inspect")
    @RolesAllowed({"viewer", "operator", "admin"})
    @Blocking
    public Map<String, Object> inspect(@QueryParam("name") String name) throws IOException {
        String normalized = normalize("name", name);
        return ImageViews.inspect(store, normalized, require(normalized));
    }

    /** Request body of {@code tag}. */
    public record TagRequest(String source, String target) {
    }

    @POST
    @Path("/tag")
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Map<String, String> tag(TagRequest request, @Context SecurityContext security,
                                   @HeaderParam("traceparent") String traceparent) throws IOException {
        if (request == null) {
            throw new InvalidRequest("body", "a JSON body with \"source\" and \"target\" is required");
        }
        String source = normalize("source", request.source());
        String target = normalize("target", request.target());
        Descriptor d = require(source);
        String digest = d.digest().toString();
        events.record(new ImageEvents.Change(ImageAction.TAGGED, target, digest, null, actor(security), EventContext.newRequest(traceparent)), null,
                () -> {
                    store.tag(target, d);
                    return digest;
                });
        return Map.of("name", target, "digest", digest);
    }

    /** {@code rmi}: removes the name, then the blobs no other name needs; layers the build cache holds are kept. */
    @DELETE
    @RolesAllowed({"operator", "admin"})
    @Blocking
    public Map<String, Object> remove(@QueryParam("name") String name, @Context SecurityContext security,
                                      @HeaderParam("traceparent") String traceparent) throws IOException {
        String normalized = normalize("name", name);
        Descriptor d = require(normalized);
        String digest = d.digest().toString();
        events.record(new ImageEvents.Change(ImageAction.REMOVED, normalized, digest, null, actor(security), EventContext.newRequest(traceparent)), null,
                () -> {
                    store.untag(normalized);
                    return digest;
                });
        var gc = store.gc(data.builder().cache().layerDigests());
        return Map.of("removed", normalized, "blobsRemoved", gc.blobsRemoved(), "bytesFreed", gc.bytesFreed());
    }

    static String normalize(String field, String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidRequest(field, field + " is required (an image name such as etcd:v3.5)");
        }
        try {
            return Reference.parse(name).toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest(field, e.getMessage());
        }
    }

    private Descriptor require(String name) throws IOException {
        return store.resolve(name).orElseThrow(() -> NotFound.of("image", name));
    }

    static String actor(SecurityContext security) {
        return security.getUserPrincipal() == null ? "anonymous" : security.getUserPrincipal().getName();
    }
}
