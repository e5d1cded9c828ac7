package io.slipway.provision;

import java.util.List;
import java.util.Objects;

/**
 * What a pool wants: per role, how many nodes of which shape. The ordinals of a role's nodes are 0..count-1.
 *
 * @param poolId   the pool's id (the Clusterfile's cluster name, or one the caller chose)
 * @param provider the provider kind the nodes come from
 * @param roles    one entry per role
 */
public record PoolPlan(String poolId, String provider, List<RolePlan> roles) {
    public PoolPlan {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(provider, "provider");
        roles = List.copyOf(roles);
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
