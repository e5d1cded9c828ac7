package io.slipway.provision;

import java.util.List;
import java.util.Objects;

/**
 * What a pool wants: per role, how many nodes of which shape. The ordinals of a role's nodes are 0..count-1.
 *
 * @param poolId      the pool's id (the Clusterfile's cluster name, or one the caller chose)
 * @param provider    the provider kind the nodes come from
 * @param roles       one entry per role
 * @param incarnation which pool of that id this is (e.g. when it was requested): a pool id used again after a delete
 *                    gets other create tokens, or a provider would answer the deleted pool's nodes (EC2 remembers a
 *                    ClientToken for a while, the local provider for good)
 */
public record PoolPlan(String poolId, String provider, List<RolePlan> roles, String incarnation) {
    public PoolPlan {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(provider, "provider");
        roles = List.copyOf(roles);
        incarnation = incarnation == null ? "" : incarnation;
    }

    /** A plan for the only pool of its id there will be (tests, benchmarks). */
    public PoolPlan(String poolId, String provider, List<RolePlan> roles) {
        this(poolId, provider, roles, "");
    }

    public int nodeCount() {
        return roles.stream().mapToInt(RolePlan::count).sum();
    }

    /** One role's nodes: {@code count} of {@code size} from {@code image} (both provider-specific, may be null). */
    public record RolePlan(String role, int count, String size, String image) {
        public RolePlan {
            Objects.requireNonNull(role, "role");
            if (count < 0) {
                throw new IllegalArgumentException("count of role " + role + " must not be negative");
            }
        }
    }
}
