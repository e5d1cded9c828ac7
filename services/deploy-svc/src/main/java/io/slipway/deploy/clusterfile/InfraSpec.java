package io.slipway.deploy.clusterfile;

import java.util.List;
import java.util.Objects;

/**
 * A Clusterfile's {@code spec.infra}: the cluster's hosts are not listed but asked of infra-svc, as sealer's v1
 * {@code provider} with {@code masters}/{@code nodes} counts did. The pool infra-svc makes is named after the cluster;
 * deploy-svc installs onto its nodes once it is ready, and deleting the cluster releases it.
 *
 * @param provider a provider infra-svc is configured with ({@code local}, a {@code static} pool, an {@code aws} account)
 * @param roles    per role ({@code master}, then {@code node}), how many nodes of which shape; every count at least 1
 */
public record InfraSpec(String provider, List<Role> roles) {

    /** One role's nodes: {@code size} and {@code image} are the provider's machine type and image (null where fixed). */
    public record Role(String role, int count, String size, String image) {
        public Role {
            Objects.requireNonNull(role, "role");
        }
    }

    public InfraSpec {
        Objects.requireNonNull(provider, "provider");
        roles = List.copyOf(roles);
    }

    /** For messages: {@code local: 3 master, 1 node}. */
    public String describe() {
        return provider + ": " + String.join(", ", roles.stream().map(r -> r.count() + " " + r.role()).toList());
    }
}
