package io.slipway.infra.pool;

import java.util.Comparator;
import java.util.List;

/** What clients see of a pool: its state and, when asked for one pool, each node's. */
public record PoolView(String id, String provider, String state, List<RoleView> roles, String requestedBy, String requestedAt,
                       String readyAt, String finishedAt, String failureReason, Counts counts, List<NodeView> nodes) {

    public record RoleView(String role, int count, String size, String image) {
    }

    /** How many of the pool's nodes are in each state. */
    public record Counts(int requested, int creating, int launched, int running, int ready, int failed, int released) {
    }

    public record NodeView(String id, String role, int ordinal, String state, int attempt, String instanceId, String address,
                           Integer sshPort, String hostKey, String failureReason, String updatedAt) {
    }

    /** Whether the pool has reached a state it only leaves on a new command (Ready, Failed, Deleted). */
    public boolean settled() {
        return state.equals("Ready") || state.equals("Failed") || state.equals("Deleted");
    }

    static PoolView of(Pool p, List<PoolNode> nodes) {
        List<RoleView> roles = p.roles.stream().sorted(Comparator.comparing(r -> r.role)).map(r -> new RoleView(r.role, r.count, r.size, r.image)).toList();
        Counts counts = null;
        List<NodeView> views = null;
        if (nodes != null) {
            int[] c = new int[PoolNode.State.values().length];
            nodes.forEach(n -> c[n.state.ordinal()]++);
            counts = new Counts(c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
            views = nodes.stream().sorted(Comparator.comparing((PoolNode n) -> n.role).thenComparingInt(n -> n.ordinal))
                    .map(n -> new NodeView(n.id, n.role, n.ordinal, n.state.name(), n.attempt, n.instanceId, n.address, n.sshPort,
                            n.hostKey, n.failureReason, str(n.updatedAt))).toList();
        }
        return new PoolView(p.id, p.provider, p.state.name(), roles, p.requestedBy, str(p.requestedAt), str(p.readyAt),
                str(p.finishedAt), p.failureReason, counts, views);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
