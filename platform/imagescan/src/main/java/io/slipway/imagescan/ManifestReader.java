package io.slipway.imagescan;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads multi-document YAML text as Kubernetes objects and records the images they name. */
final class ManifestReader {

    /** Rendered charts with large CRDs run to tens of megabytes; SnakeYAML's default stops at 3 MB. */
    private static final int MAX_CODE_POINTS = 128 * 1024 * 1024;

    private final Findings findings;

    ManifestReader(Findings findings) {
        this.findings = findings;
    }

    void readFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            findings.problem(file, 0, "not UTF-8 text");
            return;
        } catch (IOException e) {
            findings.problem(file, 0, "cannot read: " + e.getMessage());
            return;
        }
        read(text, SourceMap.of(file));
    }

    /** Reads text whose documents came from elsewhere, such as a chart's templates; {@code sources} says where. */
    void read(String text, SourceMap sources) {
        ObjectImages objects = new ObjectImages(findings, sources);
        try {
            // documents are composed lazily: those before a syntax error are still scanned
            for (Node document : new Yaml(loaderOptions()).composeAll(new StringReader(text))) {
                objects.scanDocument(document);
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 0 : mark.getLine() + 1;
            findings.problem(sources.origin(line, null, null), syntaxError(e, text));
        } catch (YAMLException e) {
            findings.problem(sources.origin(0, null, null), "not valid YAML: " + e.getMessage());
        }
    }

    private static String syntaxError(MarkedYAMLException e, String text) {
        StringBuilder message = new StringBuilder("not valid YAML: ");
        if (e.getContext() != null) {
            message.append(e.getContext()).append(", ");
        }
        message.append(e.getProblem());
        if (text.contains("{{")) {
            message.append(" (the file holds template expressions: scan its chart instead)");
        }
        return message.toString();
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        return options;
    }
}
