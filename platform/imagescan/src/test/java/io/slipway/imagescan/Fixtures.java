package io.slipway.imagescan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/** The real files under src/test/resources that the scans read. */
final class Fixtures {

    private Fixtures() {
    }

    static Path path(String relative) {
        URL url = Fixtures.class.getResource("/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The 1-based line of the one line of {@code file} holding {@code text}, so expectations follow edits to the fixture. */
    static int lineOf(Path file, String text) {
        return uniqueLine(file, text, line -> line.contains(text));
    }

    /** The 1-based line of the one line of {@code file} that is {@code text}, leading and trailing blanks aside. */
    static int lineEqualTo(Path file, String text) {
        return uniqueLine(file, text, line -> line.strip().equals(text));
    }

    private static int uniqueLine(Path file, String text, Predicate<String> matches) {
        try {
            List<String> lines = Files.readAllLines(file);
            int[] found = IntStream.range(0, lines.size()).filter(i -> matches.test(lines.get(i))).toArray();
            if (found.length != 1) {
                throw new IllegalArgumentException(file + " has " + found.length + " lines matching '" + text + "'");
            }
            return found[0] + 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ScanResult scanManifests(Path... paths) {
        return new ImageScanner().scan(ScanInput.builder().manifests(paths).build());
    }
}
