package io.slipway.testkit.kube;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A container image reference as the container runtime reads it: {@code [registry/]path[:tag][@digest]}. An
 * untagged reference without a digest means {@code :latest}, as for docker and containerd. The simulation does not
 * normalise names ({@code nginx} stays {@code nginx}, not {@code docker.io/library/nginx}).
 */
record ImageReference(String repository, String tag, String digest) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    static ImageReference parse(String image) {
        String rest = image.trim();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(rest, tag, digest);
    }

    /** {@code sha256:} and 64 lower-case hex digits, the only digest form the simulation accepts. */
    static String checkDigest(String digest) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("an image digest is sha256: and 64 lower-case hex digits, not '" + digest + "'");
        }
        return digest;
    }

    /** The reference by tag: {@code repo:tag} (what a tag-to-digest table is keyed by). */
    String byTag() {
        return tag == null ? repository : repository + ":" + tag;
    }

    /** What a container status shows as its image: the reference with its tag ({@code :latest} made explicit). */
    String shown() {
        return digest == null ? byTag() : tag == null ? repository + "@" + digest : byTag() + "@" + digest;
    }

    /** A digest for a tag no test registered: the same for the same reference, in every run. */
    String derivedDigest() {
        if (digest != null) {
            return digest;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(("simulated image " + byTag()).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code imageID} a runtime reports for this image resolved to {@code digest}: {@code repo@sha256:...}. */
    String imageId(String resolvedDigest) {
        return repository + "@" + resolvedDigest;
    }
}
