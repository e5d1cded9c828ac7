package io.slipway.cloudimage.offline;

import io.slipway.oci.Digest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A registry storage directory laid out as docker distribution's filesystem driver keeps it (distribution 2.8,
 * {@code registry/storage/paths.go}), so {@code docker-registry} started with this directory as its
 * {@code rootdirectory} serves what was written here without knowing who wrote it:
 *
 * <pre>
 * docker/registry/v2/blobs/sha256/&lt;first 2 hex&gt;/&lt;hex&gt;/data                     every blob once, manifests too
 * docker/registry/v2/repositories/&lt;repo&gt;/_layers/sha256/&lt;hex&gt;/link              a config or layer in the repository
 * docker/registry/v2/repositories/&lt;repo&gt;/_manifests/revisions/sha256/&lt;hex&gt;/link  a manifest or index it serves by digest
 * docker/registry/v2/repositories/&lt;repo&gt;/_manifests/tags/&lt;tag&gt;/current/link      what the tag names
 * docker/registry/v2/repositories/&lt;repo&gt;/_manifests/tags/&lt;tag&gt;/index/sha256/&lt;hex&gt;/link
 * </pre>
 *
 * A link file holds the digest ({@code sha256:<hex>}) and nothing else: the registry parses it without trimming. Nothing
 * written here carries a time or a random name, so the same content always gives the same tree.
 */
final class RegistryLayout {

    private static final String ALGORITHM = "sha256";

    private final Path root;
    private final Path v2;
    private boolean empty = true;

    private RegistryLayout(Path root) {
        this.root = root;
        this.v2 = root.resolve("docker").resolve("registry").resolve("v2");
    }

    /** A layout in {@code root}, which must not exist yet or be empty. */
    static RegistryLayout create(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        Files.createDirectories(absolute);
        try (var entries = Files.list(absolute)) {
            if (entries.findAny().isPresent()) {
                throw new IOException("registry storage directory " + absolute + " is not empty");
            }
        }
        return new RegistryLayout(absolute);
    }

    /** The storage root: what a registry takes as its filesystem {@code rootdirectory}. */
    Path root() {
        return root;
    }

    /** True until something was written. */
    boolean isEmpty() {
        return empty;
    }

    /**
     * Puts a blob whose verified bytes are in {@code content} into the blob store, once: a hard link when the file
     * system allows it (the download is not copied), a copy otherwise.
     */
    void blob(Digest digest, Path content) throws IOException {
        Path data = inside(v2.resolve("blobs").resolve(ALGORITHM).resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex()).resolve("data"));
        empty = false;
        if (Files.exists(data)) {
            return;
        }
        Files.createDirectories(data.getParent());
        try {
            Files.createLink(data, content);
        } catch (FileAlreadyExistsException e) {
            // written by an earlier image of the same layout: the same digest is the same bytes
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(content, data, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a config or layer blob readable through {@code repository}. */
    void layerLink(String repository, Digest digest) throws IOException {
        link(repository(repository).resolve("_layers").resolve(ALGORITHM).resolve(digest.hex()).resolve("link"), digest);
    }

    /** Makes a manifest or index servable by its digest from {@code repository}. */
    void manifestRevision(String repository, Digest digest) throws IOException {
        link(manifests(repository).resolve("revisions").resolve(ALGORITHM).resolve(digest.hex()).resolve("link"), digest);
    }

    /** Points {@code tag} of {@code repository} at a manifest or index already linked as a revision. */
    void tag(String repository, String tag, Digest digest) throws IOException {
        Path tagDir = manifests(repository).resolve("tags").resolve(tag);
        link(tagDir.resolve("current").resolve("link"), digest);
        link(tagDir.resolve("index").resolve(ALGORITHM).resolve(digest.hex()).resolve("link"), digest);
    }

    private Path repository(String repository) {
        return v2.resolve("repositories").resolve(repository);
    }

    private Path manifests(String repository) {
        return repository(repository).resolve("_manifests");
    }

    private void link(Path file, Digest digest) throws IOException {
        Path checked = inside(file);
        Files.createDirectories(checked.getParent());
        Files.write(checked, digest.toString().getBytes(StandardCharsets.US_ASCII));
        empty = false;
    }

    /**
     * Repository names and tags come from image references in user files; their grammar already excludes {@code ..}
     * and absolute paths, and this check keeps it that way whatever parsed them.
     */
    private Path inside(Path path) throws IOException {
        Path normalized = path.normalize();
        if (!normalized.startsWith(v2)) {
            throw new IOException("refusing to write " + normalized + " outside the registry storage " + root);
        }
        return normalized;
    }
}
