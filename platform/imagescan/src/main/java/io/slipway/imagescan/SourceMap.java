package io.slipway.imagescan;

import java.nio.file.Path;

/** Says which file and line a line of parsed YAML text stands for. */
interface SourceMap {

    Origin origin(int line, String object, String yamlPath);

    /** Text read from {@code file}: lines are the file's own. */
    static SourceMap of(Path file) {
        return (line, object, yamlPath) -> new Origin(file, line, object, yamlPath);
    }
}
