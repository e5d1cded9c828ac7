package io.slipway.cloudimage.build;

import io.slipway.cloudimage.offline.OfflineImages;
import io.slipway.oci.Descriptor;

import java.util.ArrayList;
import java.util.List;

/** Keeps what a build reported, for assertions. */
final class RecordingListener implements BuildListener {

    record Built(BuildStep step, Descriptor layer, boolean fromCache) {
    }

    final List<BuildStep> steps = new ArrayList<>();
    final List<String> logs = new ArrayList<>();
    final List<Built> layers = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final List<OfflineImages> offline = new ArrayList<>();

    @Override
    public void stepStarted(BuildStep step) {
        steps.add(step);
    }

    @Override
    public void log(BuildStep step, String line) {
        logs.add(line);
    }

    @Override
    public void layerBuilt(BuildStep step, Descriptor layer, boolean fromCache) {
        layers.add(new Built(step, layer, fromCache));
    }

    @Override
    public void offlineImages(OfflineImages result) {
        offline.add(result);
    }

    @Override
    public void warning(String message) {
        warnings.add(message);
    }

    List<Boolean> cacheFlags() {
        return layers.stream().map(Built::fromCache).toList();
    }
}
