package io.slipway.imagescan;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a chart with helm's own engine, as {@code helm template} does: helm-java runs the helm
 * library in-process, so templates, subcharts in {@code charts/} and values merge exactly as helm's.
 * Nothing is fetched: dependencies must already sit in {@code charts/}.
 */
final class HelmRenderer {

    /** helm-java promises nothing about concurrent calls into its native library, so renders take turns. */
    private static final Object NATIVE_HELM = new Object();

    /** helm's ways of naming the template at fault: {@code template: web/templates/a.yaml:7:14:}, {@code at (web/templates/a.yaml:7:14)}, {@code YAML parse error on web/templates/a.yaml:}. */
    private static final Pattern TEMPLATE_AT_FAULT = Pattern.compile("(?:template: |at \\(|error on )([^\\s:()]+/[^\\s:()]+)(?::(\\d+))?");

    /**
     * Without a native library on the class path helm-java would download one from a Maven
     * repository at run time; a build service must not fetch native code, so that fallback is off.
     */
    static {
        if (System.getProperty("com.marcnuri.jkube-helm.skipRemoteJar") == null) {
            System.setProperty("com.marcnuri.jkube-helm.skipRemoteJar", "true");
        }
    }

    /** A hint for helm's command line that means nothing here. */
    private static final Pattern CLI_HINT = Pattern.compile("\\s*Use --debug flag to render out invalid YAML\\s*$");

    String render(HelmChart chart) throws ChartRenderException {
        Path path = chart.path();
        checkReadable(chart);
        TemplateCommand template = new Helm(path).template()
                .withName(chart.releaseName())
                .withNamespace(chart.namespace());
        for (Path valuesFile : chart.valuesFiles()) {
            template = template.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, String> value : chart.values().entrySet()) {
            template = template.set(value.getKey(), value.getValue());
        }
        try {
            synchronized (NATIVE_HELM) {
                return template.call();
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw failure(path, e.getMessage());
        }
    }

    private static void checkReadable(HelmChart chart) throws ChartRenderException {
        Path path = chart.path();
        if (!Files.exists(path)) {
            throw new ChartRenderException(path, 0, "chart not found");
        }
        if (Files.isDirectory(path) && !Files.isRegularFile(path.resolve("Chart.yaml"))) {
            throw new ChartRenderException(path, 0, "not a chart: no Chart.yaml in the directory");
        }
        for (Path valuesFile : chart.valuesFiles()) {
            if (!Files.isRegularFile(valuesFile)) {
                throw new ChartRenderException(valuesFile, 0, "values file for chart " + path + " not found");
            }
        }
    }

    private static ChartRenderException failure(Path chart, String helmMessage) {
        String message = "helm could not render chart " + chart.getFileName() + ": "
                + CLI_HINT.matcher(String.valueOf(helmMessage)).replaceFirst("");
        Matcher template = TEMPLATE_AT_FAULT.matcher(message);
        if (template.find()) {
            int line = template.group(2) == null ? 0 : Integer.parseInt(template.group(2));
            return new ChartRenderException(ChartTemplates.of(chart).file(template.group(1)), line, message);
        }
        Path chartFile = Files.isDirectory(chart) ? chart.resolve("Chart.yaml") : chart;
        return new ChartRenderException(chartFile, 0, message);
    }
}
