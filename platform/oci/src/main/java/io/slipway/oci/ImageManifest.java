package io.slipway.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** An image manifest: one config blob and ordered layers (OCI or Docker schema 2 media type). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageManifest(@JsonProperty("schemaVersion") int schemaVersion,
                            @JsonProperty("mediaType") String mediaType,
                            @JsonProperty("config") Descriptor config,
                            @JsonProperty("layers") List<Descriptor> layers,
                            @JsonProperty("annotations") Map<String, String> annotations) {

    public ImageManifest {
        layers = layers == null ? List.of() : List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static ImageManifest oci(Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
        return new ImageManifest(2, MediaTypes.OCI_MANIFEST, config, layers, annotations);
    }
}
