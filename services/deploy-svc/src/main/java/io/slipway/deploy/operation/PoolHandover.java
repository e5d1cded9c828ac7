package io.slipway.deploy.operation;

import io.slipway.deploy.cluster.PoolUnusable;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.deploy.clusterfile.HostGroup;
import io.slipway.deploy.clusterfile.SshSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Turns a ready pool's nodes into a Clusterfile's hosts: one host group per node (each may log in its own way), masters
 * first, so master0 is the pool's first master. How deploy-svc logs in: with the Clusterfile's own {@code ssh}
 * credentials when it gives them (the provider was set up to accept them), else with the provider's key file that
 * PoolReady names; the node's user and port always come from the provider, which knows its machines.
 */
public final class PoolHandover {
    private PoolHandover() {
    }

    /** One node as PoolReady hands it over. {@code keyFile} is null when the provider logs in with a password. */
    public record Node(String nodeId, String role, String address, int port, String user, String keyFile) {
    }

    public static Clusterfile fill(Clusterfile stored, List<Node> nodes) {
        if (stored.infra() == null) {
            throw new IllegalArgumentException("cluster " + stored.name() + " has no infra section");
        }
        for (var wanted : stored.infra().roles()) {
            long got = nodes.stream().filter(n -> n.role().equals(wanted.role())).count();
            if (got != wanted.count()) {
                throw new PoolUnusable("the pool handed over " + got + " " + wanted.role() + " node(s) where the Clusterfile asks for "
                        + wanted.count());
            }
        }
        boolean ownCredentials = stored.ssh().hasCredentials();
        List<HostGroup> groups = new ArrayList<>();
        nodes.stream().sorted(Comparator.comparing((Node n) -> !n.role().equals("master")).thenComparing(Node::nodeId)).forEach(n -> {
            if (!ownCredentials && (n.keyFile() == null || n.keyFile().isBlank())) {
                throw new PoolUnusable("node " + n.nodeId() + " logs in with a password that stays with infra-svc's provider configuration: "
                        + "give spec.ssh credentials the nodes accept");
            }
            if (!ownCredentials && !Files.isReadable(Path.of(n.keyFile()))) {
                throw new PoolUnusable("node " + n.nodeId() + " logs in with the key file " + n.keyFile() + ", which deploy-svc cannot read "
                        + "here: run it beside infra-svc (or give both the same key at that path), or give spec.ssh credentials");
            }
            SshSpec ssh = new SshSpec(n.user(), null, ownCredentials ? null : n.keyFile(), null, n.port());
            groups.add(new HostGroup(List.of(n.address()), List.of(n.role()), ssh, Map.of(), Map.of(), List.of()));
        });
        return stored.withHostGroups(groups);
    }
}
