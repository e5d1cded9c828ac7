package io.slipway.imagescan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds every container image a cluster will need, so they can be cached in a CloudImage: the
 * images of Kubernetes manifests, of helm charts rendered with their values, of imageList files and
 * those named directly. What cannot be resolved becomes a {@link Problem}, never an exception.
 * Stateless and safe to share; chart rendering is serialized inside.
 */
public final class ImageScanner {

    private final HelmRenderer helm = new HelmRenderer();

    public ScanResult scan(ScanInput input) {
        Findings findings = new Findings();
        ManifestReader manifests = new ManifestReader(findings);
        ManifestPaths paths = ManifestPaths.expand(input.manifests(), findings);
        paths.files().forEach(manifests::readFile);

        List<HelmChart> charts = new ArrayList<>();
        paths.charts().stream().map(HelmChart::of).forEach(charts::add);
        charts.addAll(input.charts());
        for (HelmChart chart : charts) {
            renderAndRead(chart, manifests, findings);
        }

        for (Path imageList : input.imageLists()) {
            ImageListReader.read(imageList, findings);
        }
        for (String image : input.images()) {
            findings.image(image, Origin.input());
        }
        return findings.result();
    }

    private void renderAndRead(HelmChart chart, ManifestReader manifests, Findings findings) {
        String rendered;
        try {
            rendered = helm.render(chart);
        } catch (ChartRenderException e) {
            findings.problem(e.file(), e.line(), e.getMessage());
            return;
        }
        manifests.read(rendered, ChartTemplates.of(chart.path(), rendered));
    }
}
