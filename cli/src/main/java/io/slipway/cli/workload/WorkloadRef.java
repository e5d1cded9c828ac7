package io.slipway.cli.workload;

import io.slipway.cli.UserError;
import java.util.regex.Pattern;

/** One workload as the user names it: {@code NAMESPACE/KIND/NAME}, or {@code KIND/NAME} with {@code -n NAMESPACE}. */
record WorkloadRef(String namespace, WorkloadKind kind, String name) {
    /** kubectl's default when no namespace is given. */
    static final String DEFAULT_NAMESPACE = "default";
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    /** Reads {@code ref}; {@code namespaceOption} is {@code -n}'s value or null. Says which field is wrong when one is. */
    static WorkloadRef parse(String ref, String namespaceOption) {
        String[] parts = ref.split("/", -1);
        String namespace;
        String kind;
        String name;
        if (parts.length == 3) {
            namespace = parts[0];
            kind = parts[1];
            name = parts[2];
            if (namespaceOption != null && !namespaceOption.equals(namespace)) {
                throw bad(ref, "namespace '" + namespace + "' differs from -n " + namespaceOption + "; give it once");
            }
        } else if (parts.length == 2) {
            namespace = namespaceOption == null ? DEFAULT_NAMESPACE : namespaceOption;
            kind = parts[0];
            name = parts[1];
        } else {
            throw bad(ref, "expected NAMESPACE/KIND/NAME, or KIND/NAME with -n NAMESPACE");
        }
        WorkloadKind k = WorkloadKind.of(kind)
                .orElseThrow(() -> bad(ref, "kind '" + kind + "' is not one of " + WorkloadKind.known()));
        if (!DNS_LABEL.matcher(namespace).matches()) {
            throw bad(ref, "namespace '" + namespace + "' is not a Kubernetes namespace (lowercase letters, digits and '-', at most 63)");
        }
        if (!DNS_SUBDOMAIN.matcher(name).matches()) {
            throw bad(ref, "name '" + name + "' is not a Kubernetes name (lowercase letters, digits, '-' and '.', at most 253)");
        }
        return new WorkloadRef(namespace, k, name);
    }

    /** The REST path of this workload's view; the names are checked above, so they need no escaping. */
    String path() {
        return "/api/v1/workloads/" + namespace + "/" + kind.plural + "/" + name;
    }

    /** {@code StatefulSet default/web}; a cluster-scoped SidecarSet has no namespace. */
    @Override
    public String toString() {
        return kind.displayName + " " + (kind.namespaced ? namespace + "/" : "") + name;
    }

    private static UserError bad(String ref, String why) {
        return new UserError("workload '" + ref + "': " + why);
    }
}
