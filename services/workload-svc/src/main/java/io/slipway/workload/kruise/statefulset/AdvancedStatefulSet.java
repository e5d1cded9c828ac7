package io.slipway.workload.kruise.statefulset;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * OpenKruise's Advanced StatefulSet, {@code apps.kruise.io/v1beta1 StatefulSet}: a StatefulSet that can update its
 * pods in place, several at a time, with reserved ordinals and a pause. Field names are Kruise's, so its manifests
 * apply unchanged.
 */
@Group("apps.kruise.io")
@Version("v1beta1")
@Kind("StatefulSet")
@Singular("statefulset")
@Plural("statefulsets")
@ShortNames({"sts", "asts"})
public class AdvancedStatefulSet extends CustomResource<StatefulSetSpec, StatefulSetStatus> implements Namespaced {
    public static final String GROUP = "apps.kruise.io";
    public static final String API_VERSION = "apps.kruise.io/v1beta1";
    public static final String KIND = "StatefulSet";
}
