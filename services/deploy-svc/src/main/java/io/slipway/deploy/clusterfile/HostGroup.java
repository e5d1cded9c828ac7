package io.slipway.deploy.clusterfile;

import java.util.List;
import java.util.Map;

/** An entry of {@code spec.hosts}: addresses sharing roles, ssh overrides, env, labels and taints. */
public record HostGroup(List<String> ips, List<String> roles, SshSpec ssh, Map<String, String> env, Map<String, String> labels,
                        List<String> taints) {

    public HostGroup {
        ips = List.copyOf(ips);
        roles = List.copyOf(roles);
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
        taints = taints == null ? List.of() : List.copyOf(taints);
    }
}
