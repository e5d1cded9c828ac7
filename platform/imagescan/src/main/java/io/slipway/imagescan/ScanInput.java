package io.slipway.imagescan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What to scan for images.
 *
 * @param manifests  Kubernetes manifest files, or directories walked for {@code *.yaml} / {@code *.yml}
 *                   files; a directory holding a {@code Chart.yaml} is rendered as a chart with its
 *                   default values instead of being read as manifests
 * @param charts     helm charts to render with the values given
 * @param imageLists files naming one image per line; {@code #} starts a comment
 * @param images     image references given directly
 */
public record ScanInput(List<Path> manifests, List<HelmChart> charts, List<Path> imageLists, List<String> images) {

    public ScanInput {
        manifests = List.copyOf(manifests);
        charts = List.copyOf(charts);
        imageLists = List.copyOf(imageLists);
        images = List.copyOf(images);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects inputs of every kind, in any order. */
    public static final class Builder {
        private final List<Path> manifests = new ArrayList<>();
        private final List<HelmChart> charts = new ArrayList<>();
        private final List<Path> imageLists = new ArrayList<>();
        private final List<String> images = new ArrayList<>();

        private Builder() {
        }

        /** Manifest files or directories (see {@link ScanInput#manifests()}). */
        public Builder manifests(Path... paths) {
            manifests.addAll(List.of(paths));
            return this;
        }

        public Builder chart(Path path) {
            return chart(HelmChart.of(path));
        }

        public Builder chart(HelmChart chart) {
            charts.add(chart);
            return this;
        }

        public Builder imageList(Path file) {
            imageLists.add(file);
            return this;
        }

        public Builder image(String reference) {
            images.add(reference);
            return this;
        }

        public Builder images(Collection<String> references) {
            images.addAll(references);
            return this;
        }

        public ScanInput build() {
            return new ScanInput(manifests, charts, imageLists, images);
        }
    }
}
