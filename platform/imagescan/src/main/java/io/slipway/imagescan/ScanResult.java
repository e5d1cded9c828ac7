package io.slipway.imagescan;

import io.slipway.imageref.ImageReference;
import io.slipway.imageref.InvalidReferenceException;

import java.util.List;
import java.util.Optional;

/**
 * What a scan found: the images, each once, sorted by reference; and the problems, sorted by file and
 * line, for images that could not be resolved.
 */
public record ScanResult(List<FoundImage> images, List<Problem> problems) {

    public ScanResult {
        images = List.copyOf(images);
        problems = List.copyOf(problems);
    }

    /** The normalized references, sorted. */
    public List<String> references() {
        return images.stream().map(FoundImage::reference).toList();
    }

    /**
     * The image a reference names once normalized ({@code nginx} finds {@code docker.io/library/nginx:latest}).
     *
     * @throws InvalidReferenceException if {@code reference} is not a valid reference
     */
    public Optional<FoundImage> image(String reference) {
        String normalized = ImageReference.parse(reference).toString();
        return images.stream().filter(image -> image.reference().equals(normalized)).findFirst();
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }
}
