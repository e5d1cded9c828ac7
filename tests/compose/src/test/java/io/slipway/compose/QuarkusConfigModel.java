package io.slipway.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * The properties the Quarkus extensions of a service define, from the model each extension's runtime jar ships
 * ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}: every property's name and phase). An environment
 * variable can only change a {@code RUN_TIME} property: the others are fixed when the application is built, so setting
 * one in a container changes nothing, which is the silent kind of mistake the compose test is after.
 */
final class QuarkusConfigModel {
    private static final String MODEL = "META-INF/quarkus-config-doc/quarkus-config-model.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** By jar file name: the five services ship mostly the same extensions. */
    private static final Map<String, List<Property>> BY_JAR = new ConcurrentHashMap<>();

    /** One property: its name (a map's key as {@code *}) and whether it can be set at run time. */
    record Property(String name, boolean runTime, Pattern env) {
    }

    private final List<Property> properties;

    private QuarkusConfigModel(List<Property> properties) {
        this.properties = properties;
    }

    static QuarkusConfigModel of(List<Path> jars) {
        List<Property> all = new ArrayList<>();
        jars.forEach(j -> all.addAll(BY_JAR.computeIfAbsent(j.getFileName().toString(), n -> read(j))));
        return new QuarkusConfigModel(all);
    }

    /** The property {@code envName} sets, if an extension of the service defines it. */
    Optional<Property> property(String envName) {
        return properties.stream().filter(p -> p.env().matcher(envName).matches()).findFirst();
    }

    private static List<Property> read(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            JarEntry e = j.getJarEntry(MODEL);
            if (e == null) {
                return List.of();
            }
            JsonNode model;
            try (InputStream in = j.getInputStream(e)) {
                model = JSON.readTree(in);
            }
            List<Property> out = new ArrayList<>();
            collect(model, out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MODEL + " of " + jar, e);
        }
    }

    /** Properties sit at any depth (roots, sections, items); each has a {@code path.property} and a {@code phase}. */
    private static void collect(JsonNode node, List<Property> out) {
        JsonNode property = node.path("path").path("property");
        if (property.isTextual() && node.has("phase")) {
            // a map's key is written as a quoted placeholder: quarkus.log.category."categories".level
            String name = property.asText().replaceAll("\"[^\"]*\"", "*");
            out.add(new Property(name, "RUN_TIME".equals(node.get("phase").asText()), ServiceConfigKeys.envPattern(name)));
        }
        node.forEach(child -> collect(child, out));
    }
}
