package io.slipway.k8s;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * CloudNativePG's Cluster and Database, as far as deploy/k8s uses them. No Java model of CNPG's API is published to
 * Maven Central, so these records are written from its API reference (postgresql.cnpg.io/v1, CNPG 1.25 and later) for
 * exactly the fields the install sets: a field outside them, or a value outside an enum, fails like an unknown field
 * of a fabric8 class. A field CNPG has but the install does not use is simply not here; every field may be absent
 * (CNPG defaults it), so none is a primitive.
 */
final class Cnpg {
    private Cnpg() {
    }

    enum Ensure { present, absent }

    enum ReclaimPolicy { retain, delete }

    record LocalObjectReference(String name) {
    }

    record Cluster(String apiVersion, String kind, ObjectMeta metadata, ClusterSpec spec) {
    }

    record ClusterSpec(Integer instances, Postgres postgresql, Managed managed, ReplicationSlots replicationSlots, Affinity affinity,
                       Storage storage) {
    }

    /** postgresql.conf parameters: strings, as CNPG's map[string]string has them. */
    record Postgres(Map<String, String> parameters) {
    }

    record Managed(List<RoleConfiguration> roles) {
    }

    record RoleConfiguration(String name, Ensure ensure, Boolean login, Boolean replication, LocalObjectReference passwordSecret) {
    }

    record ReplicationSlots(HighAvailability highAvailability) {
    }

    record HighAvailability(Boolean enabled) {
    }

    record Affinity(Boolean enablePodAntiAffinity, String topologyKey) {
    }

    record Storage(String size) {
    }

    record Database(String apiVersion, String kind, ObjectMeta metadata, DatabaseSpec spec) {
    }

    record DatabaseSpec(LocalObjectReference cluster, String name, String owner, Ensure ensure, ReclaimPolicy databaseReclaimPolicy) {
    }
}
