package io.slipway.workload.kruise.broadcastjob;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.Revisions;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A BroadcastJob's pods as Kruise makes them: from the template as it is now, labelled with the job, bound to a node. */
public final class BroadcastJobPods {
    /** Kruise's labels on every pod of a job (its controller lists the pods by them). */
    public static final String JOB_NAME_LABEL = "broadcastjob-name";
    public static final String CONTROLLER_UID_LABEL = "broadcastjob-controller-uid";
    /** Set on a failed pod once its failure has paused the job (failurePolicy Pause), so that resuming does not pause it again. */
    public static final String FAILURE_SEEN_ANNOTATION = "broadcastjob.slipway.io/failure-paused-job";
    /** The characters Kubernetes' generateName draws from (no vowels, no look-alikes). */
    private static final char[] NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789".toCharArray();
    private static final Random RANDOM = new SecureRandom();

    private BroadcastJobPods() {
    }

    /** {@code <job>-<5 random characters>}, as the API server's generateName would make it. */
    public static String newName(String job) {
        StringBuilder b = new StringBuilder(job).append('-');
        for (int i = 0; i < 5; i++) {
            b.append(NAME_CHARS[RANDOM.nextInt(NAME_CHARS.length)]);
        }
        return b.toString();
    }

    /** The pod for {@code node}: the template's metadata and spec, the job's labels, the job as controller, bound to the node. */
    public static Pod pod(BroadcastJob job, String name, String node) {
        PodTemplateSpec template = job.getSpec().template == null ? new PodTemplateSpec() : Serialization.clone(job.getSpec().template);
        ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        Map<String, String> labels = new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
        labels.putAll(labels(job));
        Pod pod = new Pod();
        pod.setMetadata(new ObjectMeta());
        pod.getMetadata().setName(name);
        pod.getMetadata().setNamespace(job.getMetadata().getNamespace());
        pod.getMetadata().setLabels(labels);
        pod.getMetadata().setAnnotations(meta.getAnnotations());
        pod.getMetadata().setFinalizers(meta.getFinalizers());
        pod.getMetadata().setOwnerReferences(List.of(Revisions.controllerOf(job)));
        PodSpec spec = template.getSpec() == null ? new PodSpec() : template.getSpec();
        spec.setNodeName(node);
        pod.setSpec(spec);
        return pod;
    }

    public static Map<String, String> labels(BroadcastJob job) {
        return Map.of(JOB_NAME_LABEL, job.getMetadata().getName(), CONTROLLER_UID_LABEL, job.getMetadata().getUid());
    }

    /** The node a pod is bound to: its nodeName, or (a pod placed by the scheduler) its one required {@code metadata.name In [node]}. */
    public static String nodeOf(Pod pod) {
        if (pod.getSpec() == null) {
            return null;
        }
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            return pod.getSpec().getNodeName();
        }
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return null;
        }
        for (var term : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()) {
            for (var r : term.getMatchFields() == null ? List.<io.fabric8.kubernetes.api.model.NodeSelectorRequirement>of() : term.getMatchFields()) {
                if ("metadata.name".equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null && r.getValues().size() == 1) {
                    return r.getValues().get(0);
                }
            }
        }
        return null;
    }
}
