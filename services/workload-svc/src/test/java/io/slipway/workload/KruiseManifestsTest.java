package io.slipway.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.conversion.Conversions;
import io.slipway.workload.kruise.KruiseResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Manifests in the shapes OpenKruise's documentation gives them (src/test/resources/kruise-docs, written out by hand)
 * apply unchanged: every field is in the checked-in CRD's schema for its version with the right type (what a real
 * API server would prune or refuse), the Java model reads each one with unknown properties refused and writes its
 * spec back unchanged, and a v1alpha1 object converts to the stored v1beta1 and reads as that.
 */
class KruiseManifestsTest {
    private static final Path DOCS = Path.of("src/test/resources/kruise-docs");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper STRICT = Serialization.jsonMapper().copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    record Manifest(String file, int index, ObjectNode object) {
        @Override
        public String toString() {
            return file + "#" + index + " " + object.path("kind").asText() + " " + object.path("apiVersion").asText() + " "
                    + object.path("metadata").path("name").asText();
        }
    }

    static List<Manifest> manifests() throws IOException {
        List<Manifest> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(DOCS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (var parser = YAML.getFactory().createParser(f.toFile())) {
                    Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
                    int i = 0;
                    while (docs.hasNext()) {
                        all.add(new Manifest(f.getFileName().toString(), i++, (ObjectNode) docs.next()));
                    }
                }
            }
        }
        assertThat(all).extracting(m -> m.object().path("kind").asText()).contains("StatefulSet", "BroadcastJob", "SidecarSet");
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void everyFieldIsInTheCrdSchemaOfItsVersion(Manifest m) throws IOException {
        JsonNode schema = schemaOf(m.object().path("apiVersion").asText(), m.object().path("kind").asText());
        List<String> problems = new ArrayList<>();
        check(m.object().path("spec"), schema.path("properties").path("spec"), "spec", problems);
        assertThat(problems).as("fields a real API server would prune or refuse in %s", m).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void theModelReadsItWithNoUnknownFieldAndWritesItsSpecBackUnchanged(Manifest m) throws IOException {
        HasMetadata read = STRICT.treeToValue(m.object(), modelOf(m.object().path("apiVersion").asText(), m.object().path("kind").asText()));
        JsonNode written = STRICT.readTree(STRICT.writeValueAsString(read));
        List<String> lost = new ArrayList<>();
        lost(m.object().path("spec"), written.path("spec"), "spec", lost);
        assertThat(lost).as("what a round trip through the model loses or changes in %s", m).isEmpty();
    }

    /** Every field of {@code original} with its value in {@code written}, which may add defaults (a PVC's kind). */
    static void lost(JsonNode original, JsonNode written, String path, List<String> lost) {
        if (original.isObject() && written.isObject()) {
            original.fields().forEachRemaining(f -> lost(f.getValue(), written.path(f.getKey()), path + "." + f.getKey(), lost));
        } else if (original.isArray() && written.isArray() && original.size() == written.size()) {
            for (int i = 0; i < original.size(); i++) {
                lost(original.get(i), written.get(i), path + "[" + i + "]", lost);
            }
        } else if (!(original.isNumber() && written.isNumber() ? original.decimalValue().compareTo(written.decimalValue()) == 0
                : original.equals(written))) {
            lost.add(path + ": " + original + " became " + (written.isMissingNode() ? "nothing" : written));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void anOlderVersionConvertsToTheStoredOneAndReadsAsIt(Manifest m) throws IOException {
        String kind = m.object().path("kind").asText();
        String stored = storedVersion(kind);
        Conversions.Outcome outcome = Conversions.convert(stored, List.of(m.object()));
        if (m.object().path("apiVersion").asText().equals(stored) && !(outcome instanceof Conversions.Converted)) {
            return; // the stored version itself, of a kind served in one version only: nothing to convert
        }
        assertThat(outcome).as("conversion of %s to %s", m, stored).isInstanceOf(Conversions.Converted.class);
        ObjectNode converted = ((Conversions.Converted) outcome).objects().getFirst();
        assertThat(converted.path("apiVersion").asText()).isEqualTo(stored);
        STRICT.treeToValue(converted, modelOf(stored, kind));
        List<String> problems = new ArrayList<>();
        check(converted.path("spec"), schemaOf(stored, kind).path("properties").path("spec"), "spec", problems);
        assertThat(problems).as("fields of the converted %s outside the stored schema", m).isEmpty();
        if (kind.equals("SidecarSet") && m.object().path("spec").has("namespace")) {
            assertThat(converted.at("/spec/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText())
                    .isEqualTo(m.object().path("spec").path("namespace").asText());
        }
    }

    /** Adds a problem for every field the schema does not know and every value of the wrong type, by path. */
    static void check(JsonNode value, JsonNode schema, String path, List<String> problems) {
        if (schema.isMissingNode()) {
            problems.add(path + ": not in the schema");
            return;
        }
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) && !schema.has("properties")) {
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                problems.add(path + ": neither an integer nor a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(path + ": not an object");
                    return;
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    var field = it.next();
                    JsonNode fieldSchema = schema.path("properties").path(field.getKey());
                    if (fieldSchema.isMissingNode() && schema.has("additionalProperties")) {
                        fieldSchema = schema.path("additionalProperties");
                    }
                    if (fieldSchema.isMissingNode() && schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                        continue;
                    }
                    check(field.getValue(), fieldSchema, path + "." + field.getKey(), problems);
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(path + ": not an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), path + "[" + i + "]", problems);
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(path + ": not an integer");
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(path + ": not a string");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(path + ": not a boolean");
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    problems.add(path + ": not a number");
                }
            }
            default -> {
            }
        }
    }

    static JsonNode crdOf(String kind) throws IOException {
        try (Stream<Path> files = Files.list(CustomResourceDefinitionsTest.CRDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                JsonNode crd = YAML.readTree(f.toFile());
                if (crd.at("/spec/group").asText().equals("apps.kruise.io") && crd.at("/spec/names/kind").asText().equals(kind)) {
                    return crd;
                }
            }
        }
        throw new AssertionError("no CRD in " + CustomResourceDefinitionsTest.CRDS + " for " + kind);
    }

    static JsonNode schemaOf(String apiVersion, String kind) throws IOException {
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        for (JsonNode v : crdOf(kind).at("/spec/versions")) {
            if (v.path("name").asText().equals(version)) {
                assertThat(v.path("served").asBoolean()).as("%s %s served", kind, version).isTrue();
                return v.at("/schema/openAPIV3Schema");
            }
        }
        throw new AssertionError("the CRD for " + kind + " has no version " + version);
    }

    static String storedVersion(String kind) throws IOException {
        JsonNode crd = crdOf(kind);
        for (JsonNode v : crd.at("/spec/versions")) {
            if (v.path("storage").asBoolean()) {
                return crd.at("/spec/group").asText() + "/" + v.path("name").asText();
            }
        }
        throw new AssertionError("the CRD for " + kind + " stores no version");
    }

    static Class<? extends HasMetadata> modelOf(String apiVersion, String kind) {
        return KruiseResources.ALL.stream().filter(c -> HasMetadata.getApiVersion(c).equals(apiVersion) && HasMetadata.getKind(c).equals(kind))
                .findFirst().orElseThrow(() -> new AssertionError("no model class for " + kind + " " + apiVersion));
    }
}
