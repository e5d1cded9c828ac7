package io.slipway.imagescan;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps helm's template names ({@code web/charts/cache/templates/statefulset.yaml}) to files of the
 * chart, and lines of rendered output to the template that produced them, using the
 * {@code # Source:} comment helm writes at the head of every rendered document.
 */
final class ChartTemplates implements SourceMap {

    private static final Pattern SOURCE_COMMENT = Pattern.compile("^# Source: (.+?)[ \\t]*$", Pattern.MULTILINE);

    private final Path chart;
    private final TreeMap<Integer, Path> sourceByLine = new TreeMap<>();

    private ChartTemplates(Path chart) {
        this.chart = chart;
    }

    /** A map for naming templates only, as in helm's error messages. */
    static ChartTemplates of(Path chart) {
        return new ChartTemplates(chart);
    }

    /** A map for the output helm rendered from {@code chart}. */
    static ChartTemplates of(Path chart, String rendered) {
        ChartTemplates templates = new ChartTemplates(chart);
        Matcher source = SOURCE_COMMENT.matcher(rendered);
        int line = 1;
        int scanned = 0;
        while (source.find()) {
            line += countLines(rendered, scanned, source.start());
            scanned = source.start();
            templates.sourceByLine.put(line, templates.file(source.group(1)));
        }
        return templates;
    }

    /**
     * The file of a template as helm names it: the first segment is the chart's own name, which
     * need not match its directory, so it is replaced by the chart path.
     */
    Path file(String templateName) {
        int slash = templateName.indexOf('/');
        return slash < 0 ? chart : chart.resolve(templateName.substring(slash + 1)).normalize();
    }

    /**
     * The template a rendered line came from, with no line: a rendered line is not a line of the
     * template, and a wrong line would mislead more than none.
     */
    @Override
    public Origin origin(int renderedLine, String object, String yamlPath) {
        Map.Entry<Integer, Path> source = sourceByLine.floorEntry(renderedLine);
        return new Origin(source == null ? chart : source.getValue(), 0, object, yamlPath);
    }

    private static int countLines(String text, int from, int to) {
        int lines = 0;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        return lines;
    }
}
