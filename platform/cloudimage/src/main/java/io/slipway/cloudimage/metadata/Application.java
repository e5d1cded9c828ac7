package io.slipway.cloudimage.metadata;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * An application packed in a CloudImage.
 *
 * @param path  its directory in the image's root filesystem, {@code application/apps/<name>/}
 * @param files for kube and shell applications, the YAML files or scripts to apply or run, relative to {@code path}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Application(@JsonProperty("name") String name,
                          @JsonProperty("type") ApplicationType type,
                          @JsonProperty("path") String path,
                          @JsonProperty("files") List<String> files) {

    public Application {
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** Where APP, CNI and CSI put an application's files. */
    public static String pathOf(String name) {
        return "application/apps/" + name + "/";
    }
}
