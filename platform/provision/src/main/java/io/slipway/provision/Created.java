package io.slipway.provision;

import java.util.List;

/**
 * What a create made: the nodes (possibly fewer than asked), and for the rest how many and why (e.g. EC2's
 * {@code InsufficientInstanceCapacity}). {@code missing == 0} means the request was met.
 */
public record Created(List<ProviderNode> nodes, int missing, String missingReason) {
    public Created {
        nodes = List.copyOf(nodes);
        if (missing < 0) {
            throw new IllegalArgumentException("missing < 0");
        }
    }

    public static Created all(List<ProviderNode> nodes) {
        return new Created(nodes, 0, null);
    }
}
