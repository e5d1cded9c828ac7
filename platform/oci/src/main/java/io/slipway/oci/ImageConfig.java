package io.slipway.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** The image configuration blob: platform, runtime defaults, and the uncompressed layer digests. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageConfig(@JsonProperty("architecture") String architecture,
                          @JsonProperty("os") String os,
                          @JsonProperty("variant") String variant,
                          @JsonProperty("config") Config config,
                          @JsonProperty("rootfs") RootFs rootfs,
                          @JsonProperty("history") List<History> history,
                          @JsonProperty("created") String created) {

    /** Runtime defaults; field names are the ones the image-spec fixes (capitalized). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Config(@JsonProperty("Env") List<String> env,
                         @JsonProperty("Cmd") List<String> cmd,
                         @JsonProperty("Labels") Map<String, String> labels,
                         @JsonProperty("WorkingDir") String workingDir) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<Digest> diffIds) {

        public static RootFs layers(List<Digest> diffIds) {
            return new RootFs("layers", diffIds);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record History(@JsonProperty("created_by") String createdBy,
                          @JsonProperty("empty_layer") Boolean emptyLayer) {
    }

    public Platform platform() {
        return new Platform(os, architecture, variant);
    }
}
