package io.slipway.cloudimage.offline;

import io.slipway.oci.Digest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One container image as one platform of a CloudImage carries it: every file downloaded and verified, ready to be
 * linked into a {@link RegistryLayout}.
 *
 * @param repository the repository in the registry storage (the source's, without its registry host)
 * @param tag        the tag to point at the top manifest, or null for an image named by digest
 * @param manifests  the top manifest first (an index as the source serves it, or the image manifest), then the
 *                   platform's image manifest when the top is an index
 * @param blobs      the image's config and layers
 */
record PlatformImage(String repository, String tag, List<Blob> manifests, List<Blob> blobs) {

    /** A verified blob: its digest, the file holding its bytes, its size. */
    record Blob(Digest digest, Path file, long size) {
    }

    PlatformImage {
        manifests = List.copyOf(manifests);
        blobs = List.copyOf(blobs);
    }

    /** Bytes of this image's blobs and manifests, shared ones included. */
    long size() {
        return manifests.stream().mapToLong(Blob::size).sum() + blobs.stream().mapToLong(Blob::size).sum();
    }

    /**
     * Links everything into the layout, the tag last: the same order the registry itself follows on a push, so a tag
     * never names content the layout lacks.
     */
    void writeTo(RegistryLayout layout) throws IOException {
        for (Blob blob : blobs) {
            layout.blob(blob.digest(), blob.file());
            layout.layerLink(repository, blob.digest());
        }
        for (Blob manifest : manifests) {
            layout.blob(manifest.digest(), manifest.file());
            layout.manifestRevision(repository, manifest.digest());
        }
        if (tag != null) {
            layout.tag(repository, tag, manifests.get(0).digest());
        }
    }
}
