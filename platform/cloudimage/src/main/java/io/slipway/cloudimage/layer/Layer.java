package io.slipway.cloudimage.layer;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;

/**
 * A layer blob in the image store: its descriptor (digest of the blob as stored, compressed or not) and its diff id
 * (digest of the uncompressed tar), which the image config lists.
 */
public record Layer(Descriptor descriptor, Digest diffId) {
}
