package io.slipway.workload.cronhpa;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Locale;

/**
 * Carries a CronHPA job out on its target: a workload through its scale subresource, whatever its kind (as the
 * anchor does through client-go's scale client), or a HorizontalPodAutoscaler whose {@code minReplicas} becomes the
 * job's size, {@code maxReplicas} raised to it if lower, so the HPA and the schedule never fight over replicas.
 * Every write is guarded by the resourceVersion it was computed from and retried on a conflict.
 */
final class ScaleTargets {
    private static final int ATTEMPTS = 5;

    /** What a run or a hold did: {@code changed} if it wrote, the words for the job's status and event. */
    record Outcome(boolean ok, boolean changed, String message) {
    }

    private final KubernetesClient client;

    ScaleTargets(KubernetesClient client) {
        this.client = client;
    }

    static boolean isHpa(CronHpaSpec.ScaleTargetRef ref) {
        return CronHpaValidation.HPA_KIND.equals(ref.kind) && ref.apiVersion != null && ref.apiVersion.startsWith("autoscaling/");
    }

    /** Sets the target's size to {@code size} (an HPA: its floor). */
    Outcome scale(String namespace, CronHpaSpec.ScaleTargetRef ref, String job, int size) {
        return isHpa(ref) ? floor(namespace, ref, job, size, false) : workload(namespace, ref, job, size);
    }

    /** Keeps an HPA's floor at {@code size}: writes only if someone moved it. */
    Outcome hold(String namespace, CronHpaSpec.ScaleTargetRef ref, String job, int size) {
        return floor(namespace, ref, job, size, true);
    }

    private Outcome workload(String namespace, CronHpaSpec.ScaleTargetRef ref, String job, int size) {
        var resource = client.genericKubernetesResources(context(ref)).inNamespace(namespace).withName(ref.name);
        for (int attempt = 1; ; attempt++) {
            try {
                Scale scale = resource.scale();
                int current = scale.getSpec() == null || scale.getSpec().getReplicas() == null ? 0 : scale.getSpec().getReplicas();
                if (current != size) {
                    resource.scale(size);
                }
                return new Outcome(true, current != size, "cron hpa job " + job + " executed successfully. current replicas:" + current
                        + ", desired replicas:" + size);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < ATTEMPTS) {
                    continue;
                }
                return new Outcome(false, false, "cron hpa job " + job + " failed to scale " + ref.kind + " " + namespace + "/" + ref.name
                        + " to " + size + ": " + reason(e));
            }
        }
    }

    private Outcome floor(String namespace, CronHpaSpec.ScaleTargetRef ref, String job, int size, boolean hold) {
        var resource = client.resources(HorizontalPodAutoscaler.class).inNamespace(namespace).withName(ref.name);
        for (int attempt = 1; ; attempt++) {
            try {
                HorizontalPodAutoscaler hpa = resource.get();
                if (hpa == null) {
                    return new Outcome(false, false, "cron hpa job " + job + " failed: HorizontalPodAutoscaler " + namespace + "/" + ref.name
                            + " not found");
                }
                int min = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
                int max = hpa.getSpec().getMaxReplicas() == null ? size : hpa.getSpec().getMaxReplicas();
                int newMax = Math.max(max, size);
                String bounds = "HorizontalPodAutoscaler " + ref.name + ": minReplicas " + min + (min == size ? "" : " → " + size)
                        + ", maxReplicas " + max + (newMax == max ? "" : " → " + newMax);
                if (min != size || newMax != max) {
                    // guarded: the bounds are computed from this resourceVersion, and an HPA changed since is read again
                    resource.patch(PatchContext.of(PatchType.JSON), """
                            [{"op":"test","path":"/metadata/resourceVersion","value":"%s"},
                             {"op":"add","path":"/spec/minReplicas","value":%d},
                             {"op":"add","path":"/spec/maxReplicas","value":%d}]""".formatted(hpa.getMetadata().getResourceVersion(), size, newMax));
                }
                boolean changed = min != size || newMax != max;
                String words = hold ? "cron hpa job " + job + " holds the floor it set: " + bounds
                        : "cron hpa job " + job + " executed successfully. " + bounds;
                return new Outcome(true, changed, words);
            } catch (KubernetesClientException e) {
                if ((e.getCode() == 409 || e.getCode() == 422) && attempt < ATTEMPTS) {
                    continue;
                }
                return new Outcome(false, false, "cron hpa job " + job + " failed to set the floor of HorizontalPodAutoscaler " + namespace + "/"
                        + ref.name + " to " + size + ": " + reason(e));
            }
        }
    }

    /** The resource of {@code ref}: group and version from its apiVersion, the plural as the API server guesses it. */
    static ResourceDefinitionContext context(CronHpaSpec.ScaleTargetRef ref) {
        String apiVersion = ref.apiVersion;
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(ref.kind)
                .withPlural(guessPlural(ref.kind)).withNamespaced(true).build();
    }

    /** k8s.io/apimachinery's UnsafeGuessKindToResource. */
    static String guessPlural(String kind) {
        String k = kind.toLowerCase(Locale.ROOT);
        if (k.endsWith("s")) {
            return k + "es";
        }
        if (k.endsWith("y")) {
            return k.substring(0, k.length() - 1) + "ies";
        }
        return k + "s";
    }

    private static String reason(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        return e.getCode() == 0 ? e.getClass().getSimpleName() : "HTTP " + e.getCode();
    }
}
