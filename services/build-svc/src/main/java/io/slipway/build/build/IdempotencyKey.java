package io.slipway.build.build;

import io.slipway.backbone.api.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code Idempotency-Key} on {@code POST /api/v1/builds}: a client that lost the answer (a timeout, a 502 while the
 * service restarted) sends the request again with the same key and gets the same build, not a second one. The build's
 * id is derived from the caller and the key, so the key needs no table of its own: the build row is the record, and a
 * second request finds it. A key reused for another image or context is refused, as it is a client's mistake.
 */
final class IdempotencyKey {
    static final String HEADER = "Idempotency-Key";
    private static final int MAX_LENGTH = 255;

    private IdempotencyKey() {
    }

    /** The build id a key stands for, per caller (two callers' equal keys are two builds); null without a key. */
    static String buildId(String caller, String key) {
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > MAX_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new InvalidRequest(HEADER, "an Idempotency-Key is 1 to " + MAX_LENGTH + " visible ASCII characters");
        }
        return UUID.nameUUIDFromBytes(("build-request\0" + caller + "\0" + key).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The build found under a key must be the one this request asks for. */
    static void requireSameRequest(Build found, BuildRequest request) {
        if (!Objects.equals(found.image, request.image()) || !Objects.equals(found.context, request.context())
                || !Objects.equals(found.kubefile, request.kubefileOrDefault())) {
            throw new InvalidRequest(HEADER, "this Idempotency-Key was used for another request (build " + found.id + " of "
                    + found.image + "); use a new key for a new build");
        }
    }
}
