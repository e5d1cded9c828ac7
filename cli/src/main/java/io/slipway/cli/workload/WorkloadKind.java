package io.slipway.cli.workload;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The workload kinds workload-svc shows, under the names users type (kubectl's short names included). */
enum WorkloadKind {
    STATEFULSET("StatefulSet", "statefulsets", true, List.of("statefulset", "statefulsets", "asts", "sts")),
    BROADCASTJOB("BroadcastJob", "broadcastjobs", true, List.of("broadcastjob", "broadcastjobs", "bcj")),
    SIDECARSET("SidecarSet", "sidecarsets", false, List.of("sidecarset", "sidecarsets"));

    /** The Kind as Kruise spells it. */
    final String displayName;
    /** The path segment of {@code /api/v1/workloads/{namespace}/{kind}/{name}}: the plural, as kubectl and workload-svc use it. */
    final String plural;
    /** A SidecarSet is cluster-scoped: the path still has a namespace segment, workload-svc ignores it. */
    final boolean namespaced;
    private final List<String> names;

    WorkloadKind(String displayName, String plural, boolean namespaced, List<String> names) {
        this.displayName = displayName;
        this.plural = plural;
        this.namespaced = namespaced;
        this.names = names;
    }

    static Optional<WorkloadKind> of(String typed) {
        String name = typed.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(k -> k.names.contains(name)).findFirst();
    }

    /** {@code statefulset (asts, sts), broadcastjob (bcj), sidecarset}: for an error message. */
    static String known() {
        return Arrays.stream(values()).map(k -> {
            List<String> shortNames = k.names.stream().filter(n -> !n.startsWith(k.names.get(0))).toList();
            return k.names.get(0) + (shortNames.isEmpty() ? "" : " (" + String.join(", ", shortNames) + ")");
        }).collect(Collectors.joining(", "));
    }
}
