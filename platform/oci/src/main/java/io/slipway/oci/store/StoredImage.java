package io.slipway.oci.store;

import io.slipway.oci.Descriptor;

/** A name in the store and the manifest or index it points to. */
public record StoredImage(String name, Descriptor descriptor) {
}
