package io.slipway.imagescan;

import io.slipway.yaml.YamlError;
import io.slipway.yaml.YamlNode;
import io.slipway.yaml.YamlReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
            for (YamlNode document : YamlReader.lenient().maxCodePoints(MAX_CODE_POINTS).readAll(text)) {
                objects.scanDocument(document);
            }
        } catch (YamlError e) {
            String hint = text.contains("{{") ? " (the file holds template expressions: scan its chart instead)" : "";
            findings.problem(sources.origin(e.line(), null, null), e.problem() + hint);
        }
    }
}
