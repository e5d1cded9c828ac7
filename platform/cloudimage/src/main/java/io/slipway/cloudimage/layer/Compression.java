package io.slipway.cloudimage.layer;

import io.slipway.oci.MediaTypes;

/**
 * How layer blobs are compressed, chosen per build. NONE is the default: it is the fastest (the layer is written and
 * hashed in one pass at disk speed) and its bytes depend on nothing but the inputs. GZIP trades time for size; its
 * header is fixed (no name, mtime 0) and its level too (1, the fastest: deflate is the bottleneck of a gzip build), so
 * the same inputs and the same zlib give the same blob.
 */
public enum Compression {
    NONE(MediaTypes.OCI_LAYER_TAR),
    GZIP(MediaTypes.OCI_LAYER_GZIP);

    private final String mediaType;

    Compression(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }
}
