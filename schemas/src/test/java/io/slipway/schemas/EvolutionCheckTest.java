package io.slipway.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class EvolutionCheckTest {
    static final Schema V1 = parse("""
            {"type":"record","name":"Thing","namespace":"t","fields":[
              {"name":"id","type":"string"},{"name":"size","type":"int"}]}""");

    static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    @Test
    void addingAFieldWithoutDefaultIsRejected() {
        Schema v2 = parse("""
                {"type":"record","name":"Thing","namespace":"t","fields":[
                  {"name":"id","type":"string"},{"name":"size","type":"int"},{"name":"owner","type":"string"}]}""");
        assertThat(EvolutionCheck.problems(v2, List.of(V1, v2)))
                .anySatisfy(p -> assertThat(p).contains("t.Thing vs v1").contains("cannot read data written with v1").contains("owner"));
    }

    @Test
    void removingAFieldOldReadersNeedIsRejected() {
        Schema v2 = parse("""
                {"type":"record","name":"Thing","namespace":"t","fields":[{"name":"id","type":"string"}]}""");
        assertThat(EvolutionCheck.problems(v2, List.of(V1, v2)))
                .anySatisfy(p -> assertThat(p).contains("readers of v1 cannot read data written with the current schema"));
    }

    @Test
    void changingAFieldTypeIsRejected() {
        Schema v2 = parse("""
                {"type":"record","name":"Thing","namespace":"t","fields":[
                  {"name":"id","type":"string"},{"name":"size","type":"string"}]}""");
        assertThat(EvolutionCheck.problems(v2, List.of(V1, v2))).isNotEmpty();
    }

    @Test
    void addingAnOptionalFieldPassesOnceReleased() {
        Schema v2 = parse("""
                {"type":"record","name":"Thing","namespace":"t","fields":[
                  {"name":"id","type":"string"},{"name":"size","type":"int"},
                  {"name":"owner","type":["null","string"],"default":null}]}""");
        assertThat(EvolutionCheck.problems(v2, List.of(V1, v2))).isEmpty();
        assertThat(EvolutionCheck.problems(v2, List.of(V1)))
                .singleElement().satisfies(p -> assertThat(p).contains("differs from every released version").contains("v2.avsc"));
    }
}
