package io.slipway.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An image index (or Docker manifest list): one manifest per platform. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageIndex(@JsonProperty("schemaVersion") int schemaVersion,
                         @JsonProperty("mediaType") String mediaType,
                         @JsonProperty("manifests") List<Descriptor> manifests,
                         @JsonProperty("annotations") Map<String, String> annotations) {

    public ImageIndex {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static ImageIndex oci(List<Descriptor> manifests, Map<String, String> annotations) {
        return new ImageIndex(2, MediaTypes.OCI_INDEX, manifests, annotations);
    }

    /** The manifest for {@code wanted}, if the index has one. */
    public Optional<Descriptor> manifestFor(Platform wanted) {
        return manifests.stream().filter(m -> m.platform() != null && m.platform().matches(wanted)).findFirst();
    }
}
