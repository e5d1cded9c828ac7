package io.slipway.imagescan;

import java.nio.file.Path;

/** A chart helm could not render; {@code file} and {@code line} point at the template helm blamed, when it named one. */
final class ChartRenderException extends Exception {

    private final Path file;
    private final int line;

    ChartRenderException(Path file, int line, String message) {
        super(message);
        this.file = file;
        this.line = line;
    }

    Path file() {
        return file;
    }

    int line() {
        return line;
    }
}
