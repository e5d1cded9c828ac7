package io.slipway.imagescan;

import io.slipway.imageref.ImageReference;

import java.util.List;

/**
 * One image the cluster needs, with every place that names it.
 *
 * @param name    the normalized reference
 * @param origins where it was found, sorted by file, line and path
 */
public record FoundImage(ImageReference name, List<Origin> origins) {

    public FoundImage {
        origins = List.copyOf(origins);
    }

    /** The normalized reference, for example {@code docker.io/library/nginx:1.25}. */
    public String reference() {
        return name.toString();
    }
}
