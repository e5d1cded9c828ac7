package io.slipway.workload.kruise.statefulset;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.Revisions;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pods and claims of an Advanced StatefulSet, made from a revision's template with StatefulSet's identity. */
final class StatefulSetPods {
    private StatefulSetPods() {
    }

    static String podName(AdvancedStatefulSet set, int ordinal) {
        return set.getMetadata().getName() + "-" + ordinal;
    }

    static String claimName(PersistentVolumeClaim template, AdvancedStatefulSet set, int ordinal) {
        return template.getMetadata().getName() + "-" + podName(set, ordinal);
    }

    /** The labels the controller owns on a pod of {@code revision} at {@code ordinal}. */
    static Map<String, String> identity(AdvancedStatefulSet set, int ordinal, String revision) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Revisions.REVISION_LABEL, revision);
        labels.put(StatefulSetRollout.POD_NAME_LABEL, podName(set, ordinal));
        labels.put(StatefulSetRollout.POD_INDEX_LABEL, Integer.toString(ordinal));
        return labels;
    }

    static Pod pod(AdvancedStatefulSet set, PodTemplateSpec template, int ordinal, String revision, boolean inPlaceGate) {
        PodTemplateSpec t = Serialization.clone(template);
        ObjectMeta meta = t.getMetadata() == null ? new ObjectMeta() : t.getMetadata();
        Map<String, String> labels = new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
        labels.putAll(identity(set, ordinal, revision));
        ObjectMeta podMeta = new ObjectMeta();
        podMeta.setName(podName(set, ordinal));
        podMeta.setNamespace(set.getMetadata().getNamespace());
        podMeta.setLabels(labels);
        podMeta.setAnnotations(meta.getAnnotations());
        podMeta.setOwnerReferences(List.of(Revisions.controllerOf(set)));
        PodSpec spec = t.getSpec();
        spec.setHostname(podMeta.getName());
        if (set.getSpec().serviceName != null) {
            spec.setSubdomain(set.getSpec().serviceName);
        }
        if (set.getSpec().volumeClaimTemplates != null) {
            List<Volume> volumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
            for (PersistentVolumeClaim claim : set.getSpec().volumeClaimTemplates) {
                String volume = claim.getMetadata().getName();
                volumes.removeIf(v -> volume.equals(v.getName()));
                volumes.add(new VolumeBuilder().withName(volume).withPersistentVolumeClaim(new PersistentVolumeClaimVolumeSourceBuilder()
                        .withClaimName(claimName(claim, set, ordinal)).build()).build());
            }
            spec.setVolumes(volumes);
        }
        if (inPlaceGate) {
            InPlaceUpdate.addReadinessGate(spec);
        }
        Pod pod = new Pod();
        pod.setMetadata(podMeta);
        pod.setSpec(spec);
        return pod;
    }

    /** The claims of one ordinal; owned by the set when its retention policy deletes them with it. */
    static List<PersistentVolumeClaim> claims(AdvancedStatefulSet set, int ordinal) {
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        if (set.getSpec().volumeClaimTemplates == null) {
            return claims;
        }
        var retention = set.getSpec().persistentVolumeClaimRetentionPolicy;
        boolean deleteWithSet = retention != null && "Delete".equals(retention.whenDeleted);
        for (PersistentVolumeClaim template : set.getSpec().volumeClaimTemplates) {
            PersistentVolumeClaim claim = Serialization.clone(template);
            ObjectMeta meta = claim.getMetadata();
            meta.setName(claimName(template, set, ordinal));
            meta.setNamespace(set.getMetadata().getNamespace());
            Map<String, String> labels = new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
            if (set.getSpec().selector != null && set.getSpec().selector.getMatchLabels() != null) {
                labels.putAll(set.getSpec().selector.getMatchLabels());
            }
            meta.setLabels(labels);
            if (deleteWithSet) {
                meta.setOwnerReferences(List.of(Revisions.controllerOf(set)));
            }
            claim.setStatus(null);
            claims.add(claim);
        }
        return claims;
    }
}
