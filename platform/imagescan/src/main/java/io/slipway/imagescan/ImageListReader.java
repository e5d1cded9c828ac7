package io.slipway.imagescan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads an imageList file: one image reference a line; blank lines and text after {@code #} are ignored. */
final class ImageListReader {

    private ImageListReader() {
    }

    static void read(Path file, Findings findings) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            findings.problem(file, 0, Files.exists(file) ? "cannot read: " + e.getMessage() : "no such file");
            return;
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = withoutComment(lines.get(i)).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.split("\\s+").length > 1) {
                findings.problem(file, i + 1, "expected one image per line, found \"" + line + "\"");
            } else {
                findings.image(line, Origin.line(file, i + 1));
            }
        }
    }

    /** {@code #} is never part of an image reference, so it can start a comment anywhere. */
    private static String withoutComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }
}
