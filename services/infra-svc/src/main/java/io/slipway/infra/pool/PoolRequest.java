package io.slipway.infra.pool;

import io.slipway.backbone.api.InvalidRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a caller asks for: a pool id of its choosing, the configured provider to take nodes from, and per role how many
 * nodes of which shape. The same shape as a Clusterfile's {@code infra} section and CI's {@code RequestPool}.
 */
public record PoolRequest(String poolId, String provider, List<RoleRequest> roles) {
    /** A DNS label, so the id can name hosts, namespaces and cloud tags everywhere. */
    private static final Pattern ID = Pattern.compile("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?");
    private static final Pattern ROLE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?");

    /** One role's nodes. */
    public record RoleRequest(String role, Integer count, String size, String image) {
    }

    /**
     * Checks every field, naming the first wrong one; {@code providers} are the configured provider names and
     * {@code maxNodes} the most nodes one pool may ask for.
     */
    public PoolRequest validate(Set<String> providers, int maxNodes) {
        if (poolId == null || !ID.matcher(poolId).matches()) {
            throw new InvalidRequest("poolId", "'" + poolId + "' is not a pool id: lower-case letters, digits and '-', 1-40 characters, "
                    + "starting and ending with a letter or digit");
        }
        if (provider == null || provider.isBlank()) {
            throw new InvalidRequest("provider", "a provider is required; configured: " + String.join(", ", sorted(providers)));
        }
        if (!providers.contains(provider)) {
            throw new InvalidRequest("provider", "'" + provider + "' is not a configured provider; configured: " + String.join(", ", sorted(providers)));
        }
        if (roles == null || roles.isEmpty()) {
            throw new InvalidRequest("roles", "at least one role with a count is required, e.g. [{\"role\":\"master\",\"count\":3}]");
        }
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (int i = 0; i < roles.size(); i++) {
            RoleRequest r = roles.get(i);
            String at = "roles[" + i + "]";
            if (r == null) {
                throw new InvalidRequest(at, "must not be null");
            }
            if (r.role() == null || !ROLE.matcher(r.role()).matches()) {
                throw new InvalidRequest(at + ".role", "'" + r.role() + "' is not a role name: lower-case letters, digits and '-', 1-32 characters");
            }
            if (!seen.add(r.role())) {
                throw new InvalidRequest(at + ".role", "role '" + r.role() + "' is listed twice");
            }
            if (r.count() == null || r.count() < 1) {
                throw new InvalidRequest(at + ".count", "role '" + r.role() + "' needs a count of at least 1, was " + r.count());
            }
            total += r.count();
            if (total > maxNodes) {
                throw new InvalidRequest(at + ".count", "the pool asks for more than " + maxNodes + " nodes (slipway.infra.max-nodes-per-pool)");
            }
            checkToken(at + ".size", r.size());
            checkToken(at + ".image", r.image());
        }
        return this;
    }

    private static void checkToken(String field, String value) {
        if (value != null && (value.isBlank() || value.length() > 100 || !value.chars().allMatch(c -> c > 32 && c < 127))) {
            throw new InvalidRequest(field, "'" + value + "' must be 1-100 printable characters without spaces");
        }
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
