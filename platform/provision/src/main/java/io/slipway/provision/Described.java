package io.slipway.provision;

import java.util.List;
import java.util.Set;

/**
 * The provider's view of some nodes: those it can see, and the ids it cannot see (yet). A cloud's API is eventually
 * consistent: a node created a moment ago may be unknown to describe for a while, which is not a reason to create it
 * again; a node the caller has seen before and that is now unknown is gone.
 */
public record Described(List<ProviderNode> nodes, Set<String> unknown) {
    public Described {
        nodes = List.copyOf(nodes);
        unknown = Set.copyOf(unknown);
    }
}
