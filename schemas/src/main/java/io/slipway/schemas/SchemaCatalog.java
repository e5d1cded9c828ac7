package io.slipway.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every released version of every event schema, read from the jar ({@code released/INDEX} lists them), looked up
 * by full name or by the 64-bit fingerprint that single-object encoding puts in front of each event.
 */
public final class SchemaCatalog {
    static final String ROOT = "slipway/schemas/released/";

    private static final SchemaCatalog INSTANCE = load();

    private final Map<Long, Schema> byFingerprint;
    private final Map<String, List<Schema>> versionsByName;

    SchemaCatalog(Map<String, List<Schema>> versionsByName) {
        this.versionsByName = versionsByName;
        Map<Long, Schema> fps = new HashMap<>();
        versionsByName.values().forEach(vs -> vs.forEach(s -> fps.put(fingerprint(s), s)));
        this.byFingerprint = Collections.unmodifiableMap(fps);
    }

    public static SchemaCatalog released() {
        return INSTANCE;
    }

    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    public Optional<Schema> byFingerprint(long fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    /** Released versions of one record, oldest first. */
    public List<Schema> versions(String fullName) {
        return versionsByName.getOrDefault(fullName, List.of());
    }

    /** The newest released version: what a reader without generated classes decodes into. */
    public Optional<Schema> latest(String fullName) {
        List<Schema> versions = versions(fullName);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    public java.util.Set<String> names() {
        return versionsByName.keySet();
    }

    private static SchemaCatalog load() {
        ClassLoader cl = SchemaCatalog.class.getClassLoader();
        Map<String, TreeMap<Integer, Schema>> numbered = new TreeMap<>();
        for (String entry : read(cl, ROOT + "INDEX").split("\n")) {
            String path = entry.strip();
            if (path.isEmpty()) {
                continue;
            }
            String name = path.substring(0, path.indexOf('/'));
            Schema schema = new Schema.Parser().parse(read(cl, ROOT + path));
            if (!schema.getFullName().equals(name)) {
                throw new IllegalStateException("released/" + path + " holds " + schema.getFullName() + ", not " + name);
            }
            numbered.computeIfAbsent(name, n -> new TreeMap<>()).put(versionOf(path), schema);
        }
        Map<String, List<Schema>> versions = new TreeMap<>();
        numbered.forEach((name, byVersion) -> versions.put(name, List.copyOf(byVersion.values())));
        return new SchemaCatalog(Collections.unmodifiableMap(versions));
    }

    /** {@code <name>/v<N>.avsc} gives N. */
    static int versionOf(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        if (!file.matches("v[0-9]+\\.avsc")) {
            throw new IllegalStateException("released schema " + path + " must be named v<N>.avsc");
        }
        return Integer.parseInt(file.substring(1, file.length() - ".avsc".length()));
    }

    private static String read(ClassLoader cl, String resource) {
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
