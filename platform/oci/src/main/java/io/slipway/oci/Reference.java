package io.slipway.oci;

import io.slipway.imageref.ImageReference;
import io.slipway.imageref.InvalidReferenceException;

/**
 * An image reference as the OCI client addresses it: read by {@link ImageReference} (docker's grammar and
 * normalization), with the digest typed as a {@link Digest}, so pinned to sha256, the one algorithm the store and
 * the registry client verify content with. Errors keep this module's wording ({@code bad tag '-1'}), which
 * Kubefile and sync-rule messages show.
 */
public record Reference(String registry, String repository, String tag, Digest digest) {

    public static final String DOCKER_HUB = ImageReference.DOCKER_HUB;

    public Reference {
        if (tag == null && digest == null) {
            tag = ImageReference.DEFAULT_TAG;
        }
    }

    public static Reference parse(String text) {
        ImageReference parsed;
        try {
            parsed = ImageReference.parse(text);
        } catch (InvalidReferenceException e) {
            throw new IllegalArgumentException("invalid image reference '" + text + "': " + reason(e), e);
        }
        Digest digest = null;
        if (parsed.digest() != null) {
            try {
                digest = Digest.parse(parsed.digest());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid image reference '" + text + "': " + e.getMessage(), e);
            }
        }
        return new Reference(parsed.registry(), parsed.repository(), parsed.tag(), digest);
    }

    private static String reason(InvalidReferenceException e) {
        return switch (e.part()) {
            case REGISTRY -> "bad registry '" + e.value() + "'";
            case PATH_COMPONENT -> "bad repository component '" + e.value()
                    + "' (lowercase letters, digits and separators . _ - only)";
            case TAG -> "bad tag '" + e.value() + "'";
            case REFERENCE, REPOSITORY, DIGEST -> e.reason();
        };
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
