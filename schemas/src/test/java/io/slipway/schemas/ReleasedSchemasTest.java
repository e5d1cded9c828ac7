package io.slipway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The build check: a contract change that old readers or old data cannot survive fails the build here. */
class ReleasedSchemasTest {

    @Test
    void everyCurrentSchemaIsReleasedAndCompatibleWithEveryReleasedVersion() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> current;
        try (Stream<Path> files = Files.walk(Path.of("avro"))) {
            current = files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
        assertThat(current).isNotEmpty();
        for (Path file : current) {
            Schema schema = new Schema.Parser().parse(file.toFile());
            problems.addAll(EvolutionCheck.problems(schema, SchemaCatalog.released().versions(schema.getFullName())));
        }
        assertThat(problems).as("schema evolution problems").isEmpty();
    }

    @Test
    void indexListsEveryReleasedFile() throws IOException {
        List<String> onDisk;
        try (Stream<Path> files = Files.walk(Path.of("released"))) {
            onDisk = files.filter(p -> p.toString().endsWith(".avsc"))
                    .map(p -> Path.of("released").relativize(p).toString()).sorted().toList();
        }
        List<String> indexed = Files.readAllLines(Path.of("released/INDEX")).stream().filter(l -> !l.isBlank()).sorted().toList();
        assertThat(indexed).isEqualTo(onDisk);
    }
}
