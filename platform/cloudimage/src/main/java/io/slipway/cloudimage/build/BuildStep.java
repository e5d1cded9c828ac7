package io.slipway.cloudimage.build;

import io.slipway.cloudimage.kubefile.Keyword;
import io.slipway.oci.Platform;

/**
 * One Kubefile instruction being built for one platform, or the builder's own last step that caches container
 * images (numbered one past the last instruction, line 0, no keyword).
 *
 * @param number  1-based position among the Kubefile's instructions
 * @param total   how many steps the build has: the Kubefile's instructions, plus the container-images step when the
 *                builder caches container images
 * @param line    the Kubefile line the instruction starts on
 * @param keyword the instruction; null for the container-images step
 * @param text    the instruction after substitution, as logs and the image history show it
 */
public record BuildStep(int number, int total, int line, Keyword keyword, String text, Platform platform) {

    @Override
    public String toString() {
        return "[" + platform + " " + number + "/" + total + "] " + text;
    }
}
