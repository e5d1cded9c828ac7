package io.slipway.imagescan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chart to render as {@code helm template} would: a chart directory (or packaged {@code .tgz}),
 * values files applied in order, then {@code --set} values.
 *
 * @param path        the chart directory holding {@code Chart.yaml}, or a packaged chart
 * @param valuesFiles values files, later ones overriding earlier ones
 * @param values      {@code --set} values ({@code image.tag=1.2}), applied after the files, in order
 * @param releaseName the release name templates see as {@code .Release.Name}
 * @param namespace   the namespace templates see as {@code .Release.Namespace}
 */
public record HelmChart(Path path, List<Path> valuesFiles, Map<String, String> values, String releaseName,
                        String namespace) {

    public static final String DEFAULT_RELEASE_NAME = "release";
    public static final String DEFAULT_NAMESPACE = "default";

    public HelmChart {
        Objects.requireNonNull(path, "chart path");
        valuesFiles = List.copyOf(valuesFiles);
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        releaseName = releaseName == null ? DEFAULT_RELEASE_NAME : releaseName;
        namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
    }

    /** The chart with its own default values. */
    public static HelmChart of(Path path) {
        return new HelmChart(path, List.of(), Map.of(), null, null);
    }

    public HelmChart withValuesFile(Path file) {
        List<Path> files = new ArrayList<>(valuesFiles);
        files.add(file);
        return new HelmChart(path, files, values, releaseName, namespace);
    }

    public HelmChart withValue(String key, String value) {
        Map<String, String> set = new LinkedHashMap<>(values);
        set.put(key, value);
        return new HelmChart(path, valuesFiles, set, releaseName, namespace);
    }

    public HelmChart withRelease(String name, String releaseNamespace) {
        return new HelmChart(path, valuesFiles, values, name, releaseNamespace);
    }
}
