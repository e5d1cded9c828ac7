package io.slipway.workload.kruise;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.slipway.workload.component.Component;
import io.slipway.workload.component.ComponentV1alpha1;
import io.slipway.workload.cronhpa.CronHorizontalPodAutoscaler;
import io.slipway.workload.kruise.broadcastjob.BroadcastJob;
import io.slipway.workload.kruise.broadcastjob.BroadcastJobV1alpha1;
import io.slipway.workload.kruise.sidecarset.SidecarSet;
import io.slipway.workload.kruise.sidecarset.SidecarSetV1alpha1;
import io.slipway.workload.kruise.statefulset.AdvancedStatefulSet;
import java.util.List;

/** Every custom resource class workload-svc serves; deploy/k8s/crds is generated from them (CustomResourceDefinitionsTest). */
public final class KruiseResources {
    public static final List<Class<? extends HasMetadata>> ALL = List.of(AdvancedStatefulSet.class, BroadcastJob.class,
            BroadcastJobV1alpha1.class, SidecarSet.class, SidecarSetV1alpha1.class, CronHorizontalPodAutoscaler.class, Component.class, ComponentV1alpha1.class);

    private KruiseResources() {
    }
}
