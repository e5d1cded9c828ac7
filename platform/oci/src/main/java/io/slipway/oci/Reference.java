package io.slipway.oci;

import java.util.regex.Pattern;

/**
 * An image reference, {@code [registry/]repository[:tag][@digest]}, normalized as docker does:
 * no registry means docker.io, a single-name repository there lives under {@code library/}, and a
 * reference with neither tag nor digest means {@code latest}.
 */
public record Reference(String registry, String repository, String tag, Digest digest) {

    public static final String DOCKER_HUB = "docker.io";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");

    public Reference {
        if (tag == null && digest == null) {
            tag = "latest";
        }
    }

    public static Reference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty image reference");
        }
        String rest = text.trim();
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid image reference '" + text + "': " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!REGISTRY.matcher(first).matches()) {
                    throw new IllegalArgumentException("invalid image reference '" + text + "': bad registry '" + first + "'");
                }
                // docker's own aliases of Docker Hub name the same images
                registry = first.equals("index.docker.io") || first.equals("registry-1.docker.io") ? DOCKER_HUB : first;
                rest = rest.substring(slash + 1);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("invalid image reference '" + text + "': bad tag '" + tag + "'");
            }
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("invalid image reference '" + text + "': no repository name");
        }
        for (String component : rest.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("invalid image reference '" + text + "': bad repository component '"
                        + component + "' (lowercase letters, digits and separators . _ - only)");
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        return new Reference(registry, rest, tag, digest);
    }

    public Reference withTag(String newTag) {
        return new Reference(registry, repository, newTag, null);
    }

    public Reference withDigest(Digest newDigest) {
        return new Reference(registry, repository, null, newDigest);
    }

    public Reference withRegistry(String newRegistry) {
        return new Reference(newRegistry, repository, tag, digest);
    }

    /** What to ask the registry's manifest endpoint for: the digest when pinned, else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    public boolean isLocalhost() {
        return registry.startsWith("localhost") || registry.startsWith("127.") || registry.startsWith("[::1]");
    }

    /** The full, normalized form, e.g. docker.io/library/nginx:latest. */
    @Override
    public String toString() {
        return registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
