package io.slipway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.events.build.BuildRequested;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    final EventCodec codec = EventCodec.released();

    static BuildRequested sample() {
        return BuildRequested.newBuilder().setBuildId("b-1").setImage("etcd:v1").setRequestedBy("ci")
                .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).setBuildArgs(Map.of("K", "v")).build();
    }

    @Test
    void roundTripsThroughSingleObjectEncoding() {
        BuildRequested event = sample();
        byte[] bytes = codec.encode(event);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(EventCodec.fingerprintOf(bytes)).isEqualTo(SchemaCatalog.fingerprint(BuildRequested.getClassSchema()));
        assertThat(codec.decode(bytes, BuildRequested.class)).isEqualTo(event);
    }

    @Test
    void genericDecodingNeedsNoGeneratedClass() {
        String json = codec.toJson(codec.encode(sample()));
        assertThat(json).contains("\"buildId\": \"b-1\"").contains("\"image\": \"etcd:v1\"");
    }

    @Test
    void dataWrittenWithAnOlderVersionDecodesIntoTheNewest() throws Exception {
        Schema v1 = new Schema.Parser().parse("""
                {"type":"record","name":"Thing","namespace":"t","fields":[{"name":"id","type":"string"}]}""");
        Schema v2 = new Schema.Parser().parse("""
                {"type":"record","name":"Thing","namespace":"t","fields":[{"name":"id","type":"string"},
                 {"name":"owner","type":"string","default":"nobody"}]}""");
        EventCodec twoVersions = new EventCodec(new SchemaCatalog(Map.of("t.Thing", List.of(v1, v2))));
        GenericRecord old = new GenericData.Record(v1);
        old.put("id", "x");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old, out);

        GenericRecord read = twoVersions.decodeGeneric(out.toByteArray());
        assertThat(read.getSchema()).isEqualTo(v2);
        assertThat(read.get("id").toString()).isEqualTo("x");
        assertThat(read.get("owner").toString()).isEqualTo("nobody");
    }

    @Test
    void garbageIsRejectedWithAReason() {
        assertThatThrownBy(() -> codec.decode("{\"json\":1}".getBytes(), BuildRequested.class))
                .isInstanceOf(EventDecodingException.class).hasMessageContaining("not an Avro single-object encoded event");
        byte[] unknown = codec.encode(sample());
        unknown[5] ^= 0x7f;
        assertThatThrownBy(() -> codec.decodeGeneric(unknown))
                .isInstanceOf(EventDecodingException.class).hasMessageContaining("unknown writer schema fingerprint");
    }
}
