package io.slipway.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (magic C3 01, the writer schema's 64-bit fingerprint, the binary body) for event
 * values. Decoding needs no service and no registry: the writer schema comes from {@link SchemaCatalog} by
 * fingerprint and is resolved into the reader's schema.
 */
public final class EventCodec {
    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;
    private static final int HEADER = 10;

    /**
     * Avro's message encoders and decoders are thread-safe and costly to build (fingerprints, resolution), so one
     * per schema or class is kept. A decoder's model loads generated classes through the reader class's own loader:
     * Quarkus tests have two loaders.
     */
    private static final Map<Schema, BinaryMessageEncoder<SpecificRecord>> ENCODERS = new ConcurrentHashMap<>();
    private final Map<Class<?>, BinaryMessageDecoder<?>> decoders = new ConcurrentHashMap<>();

    private final SchemaCatalog catalog;
    private final SchemaStore store;

    public EventCodec(SchemaCatalog catalog) {
        this.catalog = catalog;
        this.store = fingerprint -> catalog.byFingerprint(fingerprint).orElse(null);
    }

    /** The codec over every released schema; one per JVM, so its decoders are built once. */
    public static EventCodec released() {
        return Released.INSTANCE;
    }

    private static final class Released {
        static final EventCodec INSTANCE = new EventCodec(SchemaCatalog.released());
    }

    public byte[] encode(SpecificRecord event) {
        try {
            ByteBuffer buffer = ENCODERS.computeIfAbsent(event.getSchema(),
                    schema -> new BinaryMessageEncoder<>(SpecificData.getForSchema(schema), schema)).encode(event);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new EventDecodingException("cannot encode " + event.getSchema().getFullName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes into a generated class; data written with any released version is resolved into it. */
    public <T extends SpecificRecord> T decode(byte[] value, Class<T> type) {
        Schema reader = SpecificData.get().getSchema(type);
        long fingerprint = fingerprintOf(value);
        if (catalog.byFingerprint(fingerprint).isEmpty()) {
            throw new EventDecodingException("unknown writer schema fingerprint " + Long.toHexString(fingerprint)
                    + " for " + type.getSimpleName() + "; it is not among the released schemas");
        }
        try {
            @SuppressWarnings("unchecked")
            BinaryMessageDecoder<T> decoder = (BinaryMessageDecoder<T>) decoders.computeIfAbsent(type,
                    t -> new BinaryMessageDecoder<>(new SpecificData(t.getClassLoader()), reader, store));
            return decoder.decode(value);
        } catch (IOException | RuntimeException e) {
            throw new EventDecodingException("cannot decode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes any released event into the newest released version of its record, without generated classes. */
    public GenericRecord decodeGeneric(byte[] value) {
        long fingerprint = fingerprintOf(value);
        Schema writer = catalog.byFingerprint(fingerprint).orElseThrow(() -> new EventDecodingException(
                "unknown writer schema fingerprint " + Long.toHexString(fingerprint) + "; it is not among the released schemas"));
        Schema reader = catalog.latest(writer.getFullName()).orElse(writer);
        try {
            GenericDatumReader<GenericRecord> datumReader = new GenericDatumReader<>(writer, reader, GenericData.get());
            return datumReader.read(null, DecoderFactory.get().binaryDecoder(value, HEADER, value.length - HEADER, null));
        } catch (IOException | RuntimeException e) {
            throw new EventDecodingException("cannot decode " + writer.getFullName() + ": " + e.getMessage(), e);
        }
    }

    /** The event as JSON text (Avro's own rendering), for people and tools. */
    public String toJson(byte[] value) {
        return decodeGeneric(value).toString();
    }

    /** The fingerprint in a single-object encoded value, or an error saying why it is not one. */
    public static long fingerprintOf(byte[] value) {
        if (value == null) {
            throw new EventDecodingException("the record has no value");
        }
        if (value.length < HEADER || value[0] != MAGIC_0 || value[1] != MAGIC_1) {
            throw new EventDecodingException("not an Avro single-object encoded event (" + (value.length < 2 ? value.length + " bytes"
                    : String.format("starts with %02x %02x, expected c3 01", value[0], value[1])) + ")");
        }
        return ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
