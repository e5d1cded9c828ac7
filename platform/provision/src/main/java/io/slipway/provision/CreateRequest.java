package io.slipway.provision;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * A request for {@code count} nodes of one role and shape in a pool, under an idempotency token (EC2's ClientToken):
 * the token is recorded durably before the call, so a caller that dies mid-call repeats it and gets the same nodes.
 *
 * @param poolId   the pool the nodes belong to (tagged on every node)
 * @param role     the Clusterfile role, e.g. {@code master}, {@code node}
 * @param size     the provider's machine size (EC2 instance type; ignored where machines are what they are)
 * @param image    the provider's machine image (EC2 AMI id; ignored where machines are what they are)
 * @param count    how many nodes, at least 1
 * @param token    the idempotency token, at most 64 ASCII characters ({@link #tokenFor})
 * @param tags     extra tags the caller wants on every node
 */
public record CreateRequest(String poolId, String role, String size, String image, int count, String token,
                            Map<String, String> tags) {

    /** The longest token EC2 accepts as a ClientToken. */
    public static final int MAX_TOKEN_LENGTH = 64;

    public CreateRequest {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(token, "token");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        if (token.length() > MAX_TOKEN_LENGTH || !token.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("token must be 1-64 printable ASCII characters");
        }
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /**
     * The token of the {@code attempt}-th create of the nodes from {@code firstOrdinal} on of a pool's role: the same
     * inputs always give the same token (so a restarted caller repeats the call it may have made), different inputs a
     * different one. A retry for capacity that fell short is a new attempt, so it is a new create.
     */
    public static String tokenFor(String poolId, String role, int firstOrdinal, int attempt) {
        return tokenFor(poolId, "", role, firstOrdinal, attempt);
    }

    /** As {@link #tokenFor(String, String, int, int)}, for one incarnation of a pool id (see {@link PoolPlan#incarnation()}). */
    public static String tokenFor(String poolId, String incarnation, String role, int firstOrdinal, int attempt) {
        String of = poolId + "\n" + role + "\n" + firstOrdinal + "\n" + attempt + (incarnation.isEmpty() ? "" : "\n" + incarnation);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] d = sha.digest(of.getBytes(StandardCharsets.UTF_8));
            return "slw-" + HexFormat.of().formatHex(d, 0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
