package io.slipway.provision;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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

    /** How a provider whose records answer each id on its own finds one node: empty when it cannot see it. */
    @FunctionalInterface
    public interface Lookup<E extends Exception> {
        Optional<ProviderNode> find(String id) throws E;
    }

    /** The view of {@code ids} looked up one by one: each found node, and the ids not found as unknown. */
    public static <E extends Exception> Described byEach(Collection<String> ids, Lookup<E> lookup) throws E {
        List<ProviderNode> nodes = new ArrayList<>();
        Set<String> unknown = new HashSet<>();
        for (String id : ids) {
            Optional<ProviderNode> n = lookup.find(id);
            if (n.isPresent()) {
                nodes.add(n.get());
            } else {
                unknown.add(id);
            }
        }
        return new Described(nodes, unknown);
    }
}
