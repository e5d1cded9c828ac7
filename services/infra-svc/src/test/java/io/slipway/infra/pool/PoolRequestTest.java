package io.slipway.infra.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.backbone.api.InvalidRequest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PoolRequestTest {
    private static final Set<String> PROVIDERS = Set.of("local", "aws-eu");

    @Test
    void aWellFormedRequestPasses() {
        PoolRequest r = new PoolRequest("etcd-1", "aws-eu", List.of(new PoolRequest.RoleRequest("master", 3, "t3.large", "ami-0abc"),
                new PoolRequest.RoleRequest("node", 6, null, null)));
        assertThat(r.validate(PROVIDERS, 500)).isSameAs(r);
    }

    @Test
    void eachWrongFieldIsNamed() {
        assertField(new PoolRequest("Etcd_1", "local", roles(1)), "poolId", "not a pool id");
        assertField(new PoolRequest("etcd", null, roles(1)), "provider", "configured: aws-eu, local");
        assertField(new PoolRequest("etcd", "gcp", roles(1)), "provider", "'gcp' is not a configured provider");
        assertField(new PoolRequest("etcd", "local", List.of()), "roles", "at least one role");
        assertField(new PoolRequest("etcd", "local", List.of(new PoolRequest.RoleRequest("master", 0, null, null))), "roles[0].count", "at least 1");
        assertField(new PoolRequest("etcd", "local", List.of(new PoolRequest.RoleRequest("master", 1, null, null),
                new PoolRequest.RoleRequest("master", 2, null, null))), "roles[1].role", "listed twice");
        assertField(new PoolRequest("etcd", "local", List.of(new PoolRequest.RoleRequest("Master!", 1, null, null))), "roles[0].role", "not a role name");
        assertField(new PoolRequest("etcd", "local", List.of(new PoolRequest.RoleRequest("node", 1, "t3 large", null))), "roles[0].size", "without spaces");
        assertField(new PoolRequest("etcd", "local", List.of(new PoolRequest.RoleRequest("master", 3, null, null),
                new PoolRequest.RoleRequest("node", 8, null, null))), "roles[1].count", "more than 10 nodes");
    }

    private static List<PoolRequest.RoleRequest> roles(int n) {
        return List.of(new PoolRequest.RoleRequest("node", n, null, null));
    }

    private static void assertField(PoolRequest r, String field, String message) {
        assertThatThrownBy(() -> r.validate(PROVIDERS, 10)).isInstanceOf(InvalidRequest.class)
                .hasMessageContaining(message).satisfies(e -> assertThat(((InvalidRequest) e).field()).isEqualTo(field));
    }
}
