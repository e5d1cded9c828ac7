package io.slipway.oci.registry;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;

/** A manifest or index exactly as the registry served it: media type, digest and the original bytes (never re-serialized). */
public record ManifestContent(String mediaType, Digest digest, byte[] bytes) {

    public Descriptor descriptor() {
        return new Descriptor(mediaType, digest, bytes.length);
    }

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }
}
