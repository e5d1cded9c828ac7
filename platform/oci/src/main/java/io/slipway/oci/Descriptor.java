package io.slipway.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** A pointer to content: its media type, digest and size, with optional annotations and platform. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Descriptor(@JsonProperty("mediaType") String mediaType,
                         @JsonProperty("digest") Digest digest,
                         @JsonProperty("size") long size,
                         @JsonProperty("annotations") Map<String, String> annotations,
                         @JsonProperty("platform") Platform platform) {

    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, Map.of(), null);
    }

    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, newAnnotations, platform);
    }

    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, annotations, newPlatform);
    }

    public Descriptor withMediaType(String newMediaType) {
        return new Descriptor(newMediaType, digest, size, annotations, platform);
    }
}
