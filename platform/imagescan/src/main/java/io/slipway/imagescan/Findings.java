package io.slipway.imagescan;

import io.slipway.imageref.ImageReference;
import io.slipway.imageref.InvalidReferenceException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Collects the images and problems of one scan, deduplicating images by their normalized reference. */
final class Findings {

    /** Helm/Go templates and shell-style variables left in a value mean it was never rendered. */
    private static final Pattern TEMPLATE_EXPRESSION = Pattern.compile("\\{\\{|}}|\\$\\{");
    private static final int QUOTED_MAX = 200;

    private final Map<ImageReference, Set<Origin>> images = new TreeMap<>();
    private final Set<Problem> problems = new TreeSet<>();

    /** Records an image named at {@code origin}, or the reason it cannot be. */
    void image(String reference, Origin origin) {
        if (reference == null || reference.isBlank()) {
            problem(origin, "empty image field");
            return;
        }
        if (TEMPLATE_EXPRESSION.matcher(reference).find()) {
            problem(origin, "unrendered template expression in image \"" + quoted(reference) + "\"");
            return;
        }
        try {
            images.computeIfAbsent(ImageReference.parse(reference), name -> new TreeSet<>()).add(origin);
        } catch (InvalidReferenceException e) {
            problem(origin, "invalid image reference \"" + quoted(reference) + "\": " + e.reason());
        }
    }

    void problem(Origin origin, String message) {
        problems.add(Problem.at(origin, message));
    }

    void problem(Path file, int line, String message) {
        problems.add(new Problem(file, line, message));
    }

    ScanResult result() {
        List<FoundImage> found = new ArrayList<>();
        images.forEach((name, origins) -> found.add(new FoundImage(name, List.copyOf(origins))));
        return new ScanResult(found, List.copyOf(problems));
    }

    private static String quoted(String value) {
        return value.length() <= QUOTED_MAX ? value : value.substring(0, QUOTED_MAX) + "...";
    }
}
