package io.slipway.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.DigestingOutputStream;
import io.slipway.oci.Json;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.store.ImageStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of one OCI distribution registry (spec v2): blobs (HEAD, streamed GET with digest check, upload in one
 * PUT or PATCH chunks, cross-repository mount, never uploading what is already there), manifests and indexes (original
 * bytes kept), tag listing with pagination. Authentication, retries and error context live in {@link RegistryHttp}.
 * Thread-safe: one client serves concurrent transfers over a pool of connections.
 */
public final class RegistryClient implements AutoCloseable {

    /** Manifests are small documents; the spec lets registries refuse more than 4 MiB. */
    static final int MAX_MANIFEST = 4 << 20;
    private static final int COPY_BUFFER = 1 << 20;
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    private final RegistryHttp http;
    private final TransferStats stats = new TransferStats();

    private RegistryClient(RegistryConfig config) throws IOException {
        this.http = new RegistryHttp(config, stats);
    }

    public static RegistryClient open(RegistryConfig config) throws IOException {
        return new RegistryClient(config);
    }

    public RegistryConfig config() {
        return http.config();
    }

    /** The registry as image references name it. */
    public String registry() {
        return http.config().host();
    }

    public TransferStats stats() {
        return stats;
    }

    /** Checks that the registry speaks the v2 API and accepts our credentials (what {@code login} verifies). */
    public void ping() throws RegistryException {
        http.sendAndDiscard(new RegistryHttp.Call("check the API version", null, List.of(), http.uri("/v2/")));
    }

    // ---- blobs

    /** The size of a blob the repository holds, or empty when it does not. */
    public Optional<Long> blobSize(String repository, Digest digest) throws RegistryException {
        var call = new RegistryHttp.Call("check blob " + digest.shortHex(), repository, pull(repository),
                http.uri(blobPath(repository, digest))).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .expect(200, 404).followRedirects();
        HttpResponse<InputStream> response = http.sendAndDiscard(call);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(response.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    /**
     * Streams a blob into {@code target} (replaced), hashing while writing; fails unless the bytes have the digest
     * and size the descriptor promises. A transfer that breaks off is started again under the retry policy.
     */
    public void downloadBlob(String repository, Descriptor blob, Path target, LongConsumer bytesRead) throws RegistryException {
        String step = "download blob " + blob.digest().shortHex();
        int attempt = 0;
        while (true) {
            attempt++;
            var call = new RegistryHttp.Call(step, repository, pull(repository), http.uri(blobPath(repository, blob.digest())))
                    .unbounded().followRedirects();
            HttpResponse<InputStream> response = http.send(call);
            long[] counted = {0};
            try (InputStream in = response.body(); OutputStream file = Files.newOutputStream(target)) {
                DigestingOutputStream out = new DigestingOutputStream(file);
                byte[] buffer = new byte[COPY_BUFFER];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    counted[0] += n;
                    bytesRead.accept(n);
                    if (blob.size() >= 0 && out.size() > blob.size()) {
                        throw mismatch(repository, step, "more than the " + blob.size() + " bytes its descriptor says");
                    }
                }
                out.flush();
                if (blob.size() >= 0 && out.size() != blob.size()) {
                    throw mismatch(repository, step, out.size() + " bytes, its descriptor says " + blob.size());
                }
                Digest got = out.digest();
                if (!got.equals(blob.digest())) {
                    throw mismatch(repository, step, "content with digest " + got);
                }
                stats.downloaded(out.size());
                return;
            } catch (RegistryException e) {
                bytesRead.accept(-counted[0]);
                if (!e.isTransient() || !config().retry().allowsAnotherAfter(attempt)) {
                    throw e;
                }
            } catch (IOException e) {
                bytesRead.accept(-counted[0]);
                if (!config().retry().allowsAnotherAfter(attempt)) {
                    throw new RegistryException(registry(), repository, step, response.statusCode(), null,
                            "the transfer broke off: " + e.getMessage(), true, e);
                }
            }
            RetryPolicy.pause(config().retry().delayAfter(attempt, null));
        }
    }

    /** Downloads a blob into the image store unless it is there already; the store only ever sees verified content. */
    public BlobOutcome pullBlob(String repository, Descriptor blob, ImageStore store, LongConsumer bytesRead) throws IOException {
        if (store.hasBlob(blob.digest())) {
            return BlobOutcome.ALREADY_PRESENT;
        }
        Path part = store.newTempFile();
        try {
            downloadBlob(repository, blob, part, bytesRead);
            store.putBlob(blob.mediaType(), part, blob.digest(), blob.size());
            return BlobOutcome.DOWNLOADED;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * Makes the repository hold a blob whose bytes are in {@code content}: nothing when it has it already, a
     * cross-repository mount from {@code mountFrom} (a repository of this registry that holds it; may be null), else an
     * upload streamed from the file: one PUT up to the monolithic limit, PATCH chunks above it.
     */
    public BlobOutcome pushBlob(String repository, Descriptor blob, Path content, String mountFrom, LongConsumer bytesSent)
            throws RegistryException {
        if (blobSize(repository, blob.digest()).isPresent()) {
            stats.alreadyPresent();
            return BlobOutcome.ALREADY_PRESENT;
        }
        String step = "upload blob " + blob.digest().shortHex();
        int attempt = 0;
        while (true) {
            attempt++;
            long[] sent = {0};
            LongConsumer counting = n -> {
                sent[0] += n;
                bytesSent.accept(n);
            };
            try {
                URI location = startUpload(repository, blob.digest(), attempt == 1 ? mountFrom : null);
                if (location == null) {
                    stats.mounted();
                    return BlobOutcome.MOUNTED;
                }
                upload(repository, blob, content, location, counting, step);
                stats.uploaded(blob.size());
                return BlobOutcome.UPLOADED;
            } catch (RegistryException e) {
                bytesSent.accept(-sent[0]);
                if (!e.isTransient() || !config().retry().allowsAnotherAfter(attempt)) {
                    throw e;
                }
            }
            RetryPolicy.pause(config().retry().delayAfter(attempt, null));
        }
    }

    /** Asks the registry to link a blob from another of its repositories; true when it did (no upload needed). */
    public boolean mountBlob(String repository, Digest digest, String fromRepository) throws RegistryException {
        URI location = startUpload(repository, digest, fromRepository);
        if (location == null) {
            stats.mounted();
            return true;
        }
        cancelUpload(repository, location);
        return false;
    }

    /** Opens an upload session (its location), or returns null when the mount request was honoured. */
    private URI startUpload(String repository, Digest digest, String mountFrom) throws RegistryException {
        boolean mount = mountFrom != null && !mountFrom.equals(repository);
        String path = "/v2/" + repository + "/blobs/uploads/"
                + (mount ? "?mount=" + enc(digest.toString()) + "&from=" + enc(mountFrom) : "");
        List<String> scopes = mount ? List.of(pushScope(repository), "repository:" + mountFrom + ":pull") : push(repository);
        var call = new RegistryHttp.Call(mount ? "mount blob " + digest.shortHex() + " from " + mountFrom
                : "start upload of blob " + digest.shortHex(), repository, scopes, http.uri(path))
                .method("POST", HttpRequest.BodyPublishers.noBody()).expect(201, 202);
        HttpResponse<InputStream> response = http.sendAndDiscard(call);
        if (response.statusCode() == 201) {
            return null;
        }
        return location(response, repository, call.step);
    }

    private void upload(String repository, Descriptor blob, Path content, URI location, LongConsumer sent, String step)
            throws RegistryException {
        long size = blob.size();
        if (size <= config().monolithicLimit()) {
            var put = new RegistryHttp.Call(step, repository, push(repository), withDigest(location, blob.digest()))
                    .method("PUT", new FileRegionPublisher(content, 0, size, sent))
                    .header("Content-Type", "application/octet-stream").expect(201).unbounded().once();
            http.sendAndDiscard(put);
            return;
        }
        long offset = 0;
        while (offset < size) {
            long length = Math.min(config().chunkSize(), size - offset);
            var patch = new RegistryHttp.Call(step + " (bytes " + offset + "-" + (offset + length - 1) + ")", repository,
                    push(repository), location)
                    .method("PATCH", new FileRegionPublisher(content, offset, length, sent))
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", offset + "-" + (offset + length - 1))
                    .expect(202).unbounded().once();
            location = location(http.sendAndDiscard(patch), repository, patch.step);
            offset += length;
        }
        var finish = new RegistryHttp.Call(step + " (finish)", repository, push(repository), withDigest(location, blob.digest()))
                .method("PUT", HttpRequest.BodyPublishers.noBody()).expect(201).once();
        http.sendAndDiscard(finish);
    }

    private void cancelUpload(String repository, URI location) {
        try {
            http.sendAndDiscard(new RegistryHttp.Call("cancel upload", repository, push(repository), location)
                    .method("DELETE", HttpRequest.BodyPublishers.noBody()).expect(204, 404).once());
        } catch (RegistryException ignored) {
            // an abandoned session expires on the registry by itself
        }
    }

    // ---- manifests

    /** The manifest or index a tag or digest names, as served (OCI and Docker types accepted); its digest checked. */
    public ManifestContent getManifest(String repository, String reference) throws RegistryException {
        String step = "get manifest " + reference;
        var call = new RegistryHttp.Call(step, repository, pull(repository), http.uri(manifestPath(repository, reference)))
                .header("Accept", MediaTypes.manifestAccept());
        HttpResponse<InputStream> response = http.send(call);
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_MANIFEST + 1);
        } catch (IOException e) {
            throw new RegistryException(registry(), repository, step, 200, null, "reading the manifest failed: " + e.getMessage(), true, e);
        }
        if (bytes.length > MAX_MANIFEST) {
            throw new RegistryException(registry(), repository, step, 200, "MANIFEST_INVALID", "larger than 4 MiB", false, null);
        }
        Digest digest = Digest.of(bytes);
        if (reference.startsWith("sha256:") && !reference.equals(digest.toString())) {
            throw mismatch(repository, step, "a manifest with digest " + digest);
        }
        String mediaType = response.headers().firstValue("Content-Type").map(t -> t.split(";")[0].trim()).orElse("");
        if (!MediaTypes.isIndex(mediaType) && !MediaTypes.isManifest(mediaType)) {
            mediaType = mediaTypeField(bytes, repository, step);
        }
        return new ManifestContent(mediaType, digest, bytes);
    }

    /** The descriptor of what a tag or digest names, without its content; empty when the repository has no such manifest. */
    public Optional<Descriptor> headManifest(String repository, String reference) throws RegistryException {
        var call = new RegistryHttp.Call("check manifest " + reference, repository, pull(repository),
                http.uri(manifestPath(repository, reference))).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", MediaTypes.manifestAccept()).expect(200, 404);
        HttpResponse<InputStream> response = http.sendAndDiscard(call);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        Optional<String> digest = response.headers().firstValue("Docker-Content-Digest");
        if (digest.isEmpty()) {
            ManifestContent content = getManifest(repository, reference);
            return Optional.of(content.descriptor());
        }
        String type = response.headers().firstValue("Content-Type").map(t -> t.split(";")[0].trim()).orElse("");
        return Optional.of(new Descriptor(type, Digest.parse(digest.get()),
                response.headers().firstValueAsLong("Content-Length").orElse(-1)));
    }

    /** Stores the exact bytes under a tag (or under their digest when {@code reference} is one); returns the digest. */
    public Digest putManifest(String repository, String reference, ManifestContent manifest) throws RegistryException {
        String step = "push manifest " + reference;
        var call = new RegistryHttp.Call(step, repository, push(repository), http.uri(manifestPath(repository, reference)))
                .method("PUT", HttpRequest.BodyPublishers.ofByteArray(manifest.bytes()))
                .header("Content-Type", manifest.mediaType()).expect(201, 200);
        HttpResponse<InputStream> response = http.sendAndDiscard(call);
        Optional<String> echoed = response.headers().firstValue("Docker-Content-Digest");
        if (echoed.isPresent() && !echoed.get().equals(manifest.digest().toString())) {
            throw mismatch(repository, step, "stored it as " + echoed.get() + " instead of " + manifest.digest());
        }
        stats.manifestPushed();
        return manifest.digest();
    }

    public void deleteManifest(String repository, Digest digest) throws RegistryException {
        http.sendAndDiscard(new RegistryHttp.Call("delete manifest " + digest.shortHex(), repository,
                List.of("repository:" + repository + ":delete"), http.uri(manifestPath(repository, digest.toString())))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()).expect(202));
    }

    // ---- tags

    public List<String> listTags(String repository) throws RegistryException {
        return listTags(repository, 1000);
    }

    /** Every tag of the repository, following the registry's {@code Link: <...>; rel="next"} pages of {@code pageSize}. */
    public List<String> listTags(String repository, int pageSize) throws RegistryException {
        List<String> tags = new ArrayList<>();
        URI next = http.uri("/v2/" + repository + "/tags/list?n=" + pageSize);
        for (int page = 1; next != null; page++) {
            var call = new RegistryHttp.Call("list tags (page " + page + ")", repository, pull(repository), next);
            HttpResponse<InputStream> response = http.send(call);
            JsonNode body;
            try (InputStream in = response.body()) {
                body = Json.mapper().readTree(in.readNBytes(MAX_MANIFEST));
            } catch (IOException e) {
                throw new RegistryException(registry(), repository, call.step, 200, null, "unreadable tag list: " + e.getMessage(), true, e);
            }
            body.path("tags").forEach(t -> tags.add(t.asText()));
            next = response.headers().firstValue("Link").map(NEXT_LINK::matcher).filter(Matcher::find)
                    .map(m -> next(call.uri, m.group(1))).orElse(null);
        }
        return tags;
    }

    private static URI next(URI current, String link) {
        return current.resolve(link);
    }

    // ---- helpers

    private String mediaTypeField(byte[] bytes, String repository, String step) throws RegistryException {
        try {
            JsonNode doc = Json.mapper().readTree(bytes);
            String type = doc.path("mediaType").asText("");
            if (!type.isEmpty()) {
                return type;
            }
            // an OCI document may leave mediaType out: an index has manifests, an image manifest has a config
            if (doc.has("manifests")) {
                return MediaTypes.OCI_INDEX;
            }
            if (doc.has("config")) {
                return MediaTypes.OCI_MANIFEST;
            }
        } catch (IOException e) {
            throw new RegistryException(registry(), repository, step, 200, "MANIFEST_INVALID", "not JSON", false, e);
        }
        throw new RegistryException(registry(), repository, step, 200, "MANIFEST_INVALID",
                "neither an image manifest nor an index (schema 1 manifests are not supported)", false, null);
    }

    private URI location(HttpResponse<?> response, String repository, String step) throws RegistryException {
        String location = response.headers().firstValue("Location").orElseThrow(() -> new RegistryException(registry(),
                repository, step, response.statusCode(), null, "the registry sent no upload Location", false, null));
        return response.request().uri().resolve(location);
    }

    private static URI withDigest(URI location, Digest digest) {
        String s = location.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + enc(digest.toString()));
    }

    private RegistryException mismatch(String repository, String step, String what) {
        return new RegistryException(registry(), repository, step, 0, "DIGEST_INVALID", "the registry sent " + what, true, null);
    }

    private static String blobPath(String repository, Digest digest) {
        return "/v2/" + repository + "/blobs/" + digest;
    }

    private static String manifestPath(String repository, String reference) {
        return "/v2/" + repository + "/manifests/" + reference;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> pull(String repository) {
        return List.of("repository:" + repository + ":pull");
    }

    private static String pushScope(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    private static List<String> push(String repository) {
        return List.of(pushScope(repository));
    }

    @Override
    public void close() {
        http.close();
    }
}
