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

    /**
     * Runtime defaults; field names are the ones the image-spec fixes (capitalized). {@code ExposedPorts} maps
     * {@code port/protocol} to an empty object, as the spec shapes it.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Config(@JsonProperty("Env") List<String> env,
                         @JsonProperty("Cmd") List<String> cmd,
                         @JsonProperty("Labels") Map<String, String> labels,
                         @JsonProperty("WorkingDir") String workingDir,
                         @JsonProperty("User") String user,
                         @JsonProperty("Entrypoint") List<String> entrypoint,
                         @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts) {

        /** What a CloudImage needs: no user, entrypoint or ports (it is never run as a container). */
        public Config(List<String> env, List<String> cmd, Map<String, String> labels, String workingDir) {
            this(env, cmd, labels, workingDir, null, null, null);
        }
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
