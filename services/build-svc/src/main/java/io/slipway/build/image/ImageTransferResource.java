package io.slipway.build.image;

import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.api.NotFound;
import io.slipway.build.BuildData;
import io.slipway.build.registry.RegistryAccess;
import io.slipway.events.build.ImageAction;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Json;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.archive.OciArchive;
import io.slipway.oci.registry.BlobOutcome;
import io.slipway.oci.registry.Credentials;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.oci.registry.RegistryException;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.registry.TransferResult;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.store.StoredImage;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Registries and archives: {@code push}, {@code pull}, {@code login}, {@code save}, {@code load}. Push and pull stream
 * their progress as Server-Sent Events; the last event is {@code done <json>} or {@code error <message>}.
 */
@Path("/api/v1/images")
public class ImageTransferResource {
    private final ImageStore store;
    private final RegistryAccess registries;
    private final ImageEvents events;

    ImageTransferResource(BuildData data, RegistryAccess registries, ImageEvents events) {
        this.store = data.store();
        this.registries = registries;
        this.events = events;
    }

    /** Body of {@code push}: the local image, and where to (default: the registry its name points at). */
    public record PushRequest(String name, String remote) {
    }

    /** Body of {@code pull}: what to pull, which platforms (default all), and the local name (default the reference). */
    public record PullRequest(String reference, List<String> platforms, String name) {
    }

    /** Body of {@code login}; the password is stored for build-svc and never returned or logged. */
    public record LoginRequest(String registry, String username, String password, Boolean insecure) {
        @Override
        public String toString() {
            return "LoginRequest[registry=" + registry + ", username=" + username + ", password=***]";
        }
    }

    @POST
    @Path("/push")
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> push(PushRequest request, @Context SecurityContext security, @HeaderParam("traceparent") String traceparent) {
        if (request == null) {
            throw new InvalidRequest("body", "a JSON body with \"name\" is required");
        }
        String name = ImageResource.normalize("name", request.name());
        Reference remote = request.remote() == null || request.remote().isBlank() ? Reference.parse(name)
                : Reference.parse(ImageResource.normalize("remote", request.remote()));
        requireImage(name);
        String actor = ImageResource.actor(security);
        return progress(emitter -> {
            try (Registries open = registries.open()) {
                TransferResult result = new ImageTransfer(open, 4).push(store, name, remote, listener(emitter));
                BlockingCalls.await(() -> events.pushed(name, result.root().digest().toString(), remote.toString(), actor,
                        EventContext.newRequest(traceparent)));
                return summary(remote.toString(), result);
            }
        });
    }

    @POST
    @Path("/pull")
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> pull(PullRequest request, @Context SecurityContext security, @HeaderParam("traceparent") String traceparent) {
        if (request == null) {
            throw new InvalidRequest("body", "a JSON body with \"reference\" is required");
        }
        Reference remote = Reference.parse(ImageResource.normalize("reference", request.reference()));
        String name = request.name() == null || request.name().isBlank() ? remote.toString() : ImageResource.normalize("name", request.name());
        Set<Platform> platforms = new LinkedHashSet<>();
        for (String p : request.platforms() == null ? List.<String>of() : request.platforms()) {
            try {
                platforms.add(Platform.parse(p));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest("platforms", e.getMessage());
            }
        }
        String actor = ImageResource.actor(security);
        return progress(emitter -> {
            try (Registries open = registries.open()) {
                String replaced = store.resolve(name).map(d -> d.digest().toString()).orElse(null);
                TransferResult[] result = new TransferResult[1];
                events.record(new ImageEvents.Change(ImageAction.PULLED, name, null, remote.toString(), actor, EventContext.newRequest(traceparent)),
                        replaced, () -> {
                            result[0] = new ImageTransfer(open, 4).pull(remote, store, name, platforms, listener(emitter));
                            return result[0].root().digest().toString();
                        });
                return summary(name, result[0]);
            }
        });
    }

    /** Checks the credentials against the registry, then stores them for build-svc's pushes, pulls and builds. */
    @POST
    @Path("/login")
    @RolesAllowed({"operator", "admin"})
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Map<String, String> login(LoginRequest request) throws IOException {
        if (request == null || request.registry() == null || request.registry().isBlank()) {
            throw new InvalidRequest("registry", "registry is required (host[:port])");
        }
        if (request.username() == null || request.username().isBlank()) {
            throw new InvalidRequest("username", "username is required");
        }
        Credentials credentials = new Credentials(request.username(), request.password() == null ? "" : request.password());
        RegistryConfig config = registries.tune().apply(RegistryConfig.of(request.registry()).withCredentials(credentials)
                .withPlainHttp(Boolean.TRUE.equals(request.insecure()) || registries.isInsecure(request.registry())));
        try (RegistryClient client = RegistryClient.open(config)) {
            client.ping();
        } catch (RegistryException e) {
            throw new InvalidRequest("password", "login to " + request.registry() + " failed: " + e.getMessage());
        }
        registries.credentials().login(request.registry(), credentials);
        return Map.of("registry", request.registry(), "username", request.username(), "status", "logged in");
    }

    /** {@code save}: the named images as one OCI archive (a tar of an OCI image layout; skopeo reads it as oci-archive:). */
    @GET
    @Path("/save")
    @RolesAllowed({"viewer", "operator", "admin"})
    @Produces("application/x-tar")
    @Blocking
    public Response save(@QueryParam("name") List<String> names) throws IOException {
        if (names == null || names.isEmpty()) {
            throw new InvalidRequest("name", "at least one image name is required");
        }
        List<String> normalized = new ArrayList<>();
        for (String n : names) {
            String name = ImageResource.normalize("name", n);
            requireImage(name);
            normalized.add(name);
        }
        java.nio.file.Path tar = store.newTempFile();
        OciArchive.save(store, normalized, tar);
        StreamingOutput body = out -> {
            try (InputStream in = Files.newInputStream(tar)) {
                in.transferTo(out);
            } finally {
                Files.deleteIfExists(tar);
            }
        };
        return Response.ok(body).header("Content-Length", Files.size(tar))
                .header("Content-Disposition", "attachment; filename=\"images.tar\"").build();
    }

    /** {@code load}: every image of an OCI archive into the store, each blob checked against its digest. */
    @POST
    @Path("/load")
    @RolesAllowed({"operator", "admin"})
    @Consumes({"application/x-tar", "application/octet-stream"})
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public List<Map<String, String>> load(InputStream body, @Context SecurityContext security,
                                          @HeaderParam("traceparent") String traceparent) throws IOException {
        java.nio.file.Path tar = store.newTempFile();
        try {
            Files.copy(body, tar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            List<StoredImage> loaded;
            EventContext context = EventContext.newRequest(traceparent);
            String actor = ImageResource.actor(security);
            try {
                // each name between its intent and its event; the blobs before them are content the store can drop
                loaded = OciArchive.load(tar, store, (name, root) -> events.record(
                        new ImageEvents.Change(ImageAction.LOADED, name, root.digest().toString(), null, actor, context), null, () -> {
                            store.tag(name, root);
                            return root.digest().toString();
                        }));
            } catch (IOException | IllegalArgumentException e) {
                throw new InvalidRequest("body", "not a loadable OCI archive: " + e.getMessage());
            }
            List<Map<String, String>> result = new ArrayList<>();
            for (StoredImage image : loaded) {
                result.add(Map.of("name", image.name(), "digest", image.descriptor().digest().toString()));
            }
            return result;
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    private void requireImage(String name) {
        try {
            store.resolve(name).orElseThrow(() -> NotFound.of("image", name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Work that reports progress lines and ends with a JSON summary. */
    private interface Work {
        Map<String, Object> run(MultiEmitter<? super String> emitter) throws Exception;
    }

    private static Multi<String> progress(Work work) {
        return Multi.createFrom().<String>emitter(emitter -> Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                Map<String, Object> summary = work.run(emitter);
                emitter.emit("done " + new String(Json.canonical(summary)));
            } catch (Exception e) {
                emitter.emit("error " + e.getMessage());
            }
            emitter.complete();
        }));
    }

    private static TransferListener listener(MultiEmitter<? super String> emitter) {
        return new TransferListener() {
            private final Map<String, AtomicLong> reported = new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public void blobProgress(Descriptor blob, long done, long total) {
                // one line per 10% of a blob, so a big layer shows movement without flooding the stream
                long step = Math.max(total / 10, 1);
                AtomicLong last = reported.computeIfAbsent(blob.digest().toString(), k -> new AtomicLong(-1));
                long bucket = done / step;
                if (last.getAndSet(bucket) != bucket) {
                    emitter.emit("progress " + blob.digest().shortHex() + " " + done + "/" + total);
                }
            }

            @Override
            public void blobFinished(Descriptor blob, BlobOutcome outcome) {
                emitter.emit("blob " + blob.digest().shortHex() + " " + outcome.name().toLowerCase() + " " + blob.size());
            }

            @Override
            public void manifestStored(Descriptor manifest, String reference) {
                emitter.emit("manifest " + manifest.digest() + " " + reference);
            }
        };
    }

    private static Map<String, Object> summary(String image, TransferResult result) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("image", image);
        summary.put("digest", result.root().digest().toString());
        summary.put("bytes", result.bytesTransferred());
        result.blobs().forEach((outcome, count) -> summary.put(outcome.name().toLowerCase(), count));
        return summary;
    }
}
