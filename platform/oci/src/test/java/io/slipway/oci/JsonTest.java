package io.slipway.oci;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Canonical JSON: the same content always serializes to the same bytes, hence the same digest. */
class JsonTest {

    private static final Digest CONFIG = Digest.of("config".getBytes(StandardCharsets.UTF_8));
    private static final Digest LAYER = Digest.of("layer".getBytes(StandardCharsets.UTF_8));

    @Test
    void keysAreSortedWithoutWhitespaceWhateverTheMapOrder() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("b", "2");
        ab.put("a", "1");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("a", "1");
        ba.put("b", "2");
        ImageManifest one = ImageManifest.oci(new Descriptor(MediaTypes.OCI_CONFIG, CONFIG, 6),
                List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, LAYER, 5)), ab);
        ImageManifest two = ImageManifest.oci(new Descriptor(MediaTypes.OCI_CONFIG, CONFIG, 6),
                List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, LAYER, 5)), ba);

        byte[] bytes = Json.canonical(one);
        assertThat(bytes).isEqualTo(Json.canonical(two));
        assertThat(Digest.of(bytes)).isEqualTo(Digest.of(Json.canonical(Json.read(bytes, ImageManifest.class))));
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain(" ", "\n");
        assertThat(text).startsWith("{\"annotations\":{\"a\":\"1\",\"b\":\"2\"},\"config\":{\"digest\":\"" + CONFIG + "\"");
        assertThat(text.indexOf("\"layers\"")).isLessThan(text.indexOf("\"mediaType\":\"" + MediaTypes.OCI_MANIFEST));
        assertThat(text).endsWith(",\"schemaVersion\":2}");
    }

    @Test
    void emptyValuesAreLeftOutButAZeroSizeIsKept() {
        String text = new String(Json.canonical(new Descriptor(MediaTypes.OCI_LAYER_TAR, LAYER, 0)), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("{\"digest\":\"" + LAYER + "\",\"mediaType\":\"" + MediaTypes.OCI_LAYER_TAR + "\",\"size\":0}");
    }

    @Test
    void aContainerConfigKeepsTheSpecsFieldNamesAndAnExposedPortsEmptyObject() {
        ImageConfig.Config config = new ImageConfig.Config(List.of("A=1"), List.of("run"), Map.of("l", "v"), "/app", "10001",
                List.of("/opt/java/bin/java"), Map.of("8080/tcp", Map.of()));
        String text = new String(Json.canonical(config), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("{\"Cmd\":[\"run\"],\"Entrypoint\":[\"/opt/java/bin/java\"],\"Env\":[\"A=1\"],"
                + "\"ExposedPorts\":{\"8080/tcp\":{}},\"Labels\":{\"l\":\"v\"},\"User\":\"10001\",\"WorkingDir\":\"/app\"}");
        assertThat(Json.read(text.getBytes(StandardCharsets.UTF_8), ImageConfig.Config.class)).isEqualTo(config);
    }

    @Test
    void unknownFieldsAreToleratedOnRead() {
        ImageIndex index = Json.read(("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                + "\",\"manifests\":[],\"artifactType\":\"x\",\"subject\":{}}").getBytes(StandardCharsets.UTF_8), ImageIndex.class);
        assertThat(index.manifests()).isEmpty();
    }
}
