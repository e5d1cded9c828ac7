package io.slipway.build.build;

import io.slipway.backbone.api.InvalidRequest;
import io.slipway.build.context.ContextSource;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a client sends to ask for a build (REST body, or a CI's RequestBuild from Kafka); {@link #validate()} names
 * the first field that is wrong. {@code context} is {@code git+<url>#<revision>} or {@code archive:<id>}.
 */
public record BuildRequest(String image, String kubefile, String context, List<String> platforms, Map<String, String> buildArgs,
                           Boolean noCache, Boolean push, Boolean strict) {
    /** name[:tag], lower-case path components as OCI distribution allows, optional registry host[:port]. */
    private static final Pattern REFERENCE = Pattern.compile(
            "^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$");
    private static final Pattern PLATFORM = Pattern.compile("^[a-z0-9]+/[a-z0-9_]+(?:/[a-z0-9]+)?$");

    public BuildRequest validate() {
        if (image == null || image.isBlank()) {
            throw new InvalidRequest("image", "image is required (name:tag of the CloudImage to build)");
        }
        if (!REFERENCE.matcher(image).matches()) {
            throw new InvalidRequest("image", "'" + image + "' is not a valid image reference (expected [registry/]name[:tag], lower-case name)");
        }
        if (kubefile != null && (kubefile.startsWith("/") || kubefile.contains(".."))) {
            throw new InvalidRequest("kubefile", "kubefile must be a relative path inside the build context, got '" + kubefile + "'");
        }
        if (context == null || context.isBlank()) {
            throw new InvalidRequest("context", "context is required: git+<url>#<revision>, or archive:<id> from POST /api/v1/builds/contexts");
        }
        try {
            ContextSource.parse(context);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("context", e.getMessage());
        }
        for (String p : platforms()) {
            if (!PLATFORM.matcher(p).matches()) {
                throw new InvalidRequest("platforms", "'" + p + "' is not a platform (expected os/arch[/variant], e.g. linux/amd64)");
            }
        }
        buildArgs().keySet().forEach(k -> {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new InvalidRequest("buildArgs", "'" + k + "' is not a valid ARG name");
            }
        });
        return this;
    }

    public boolean strictOrFalse() {
        return strict != null && strict;
    }

    public String kubefileOrDefault() {
        return kubefile == null || kubefile.isBlank() ? "Kubefile" : kubefile;
    }

    @Override
    public List<String> platforms() {
        return platforms == null ? List.of() : platforms;
    }

    @Override
    public Map<String, String> buildArgs() {
        return buildArgs == null ? Map.of() : buildArgs;
    }

    public boolean noCacheOrFalse() {
        return Boolean.TRUE.equals(noCache);
    }

    public boolean pushOrFalse() {
        return Boolean.TRUE.equals(push);
    }
}
