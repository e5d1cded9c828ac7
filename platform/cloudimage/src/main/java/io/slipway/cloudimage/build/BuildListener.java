package io.slipway.cloudimage.build;

import io.slipway.cloudimage.offline.OfflineImages;
import io.slipway.oci.Descriptor;

/**
 * Progress of a build, called on the building thread in order. build-svc turns these calls into events and log
 * lines, the CLI into progress output. Implementations should return quickly.
 */
public interface BuildListener {

    BuildListener NONE = new BuildListener() {
    };

    default void stepStarted(BuildStep step) {
    }

    /** A line of output of the step (RUN's stdout and stderr, or the builder's own remarks). */
    default void log(BuildStep step, String line) {
    }

    /** A layer-producing step finished; {@code fromCache} when an earlier build's layer was reused. */
    default void layerBuilt(BuildStep step, Descriptor layer, boolean fromCache) {
    }

    /** The container images were cached (or not: the result says what could not be resolved). */
    default void offlineImages(OfflineImages result) {
    }

    /** Something the user should know that does not fail the build (a deprecated form, an unused build arg). */
    default void warning(String message) {
    }
}
