package io.slipway.workload.component;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Component, {@code component.slipway.io/v1beta1} (stored, the conversion hub): one service of a developer's,
 * described in a few fields; the controller renders its workload (Deployment, StatefulSet or Advanced StatefulSet),
 * its Service and, if asked, its Ingress from templates, and releases each change rolling or in gray steps.
 */
@Group(Component.GROUP)
@Version(value = "v1beta1", storage = true, served = true)
@Kind(Component.KIND)
@Singular("component")
@Plural("components")
@ShortNames("comp")
@AdditionalPrinterColumn(name = "Workload", jsonPath = ".spec.workloadType", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Image", jsonPath = ".spec.image", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Release", jsonPath = ".status.release.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Component extends CustomResource<ComponentSpec, ComponentStatus> implements Namespaced {
    public static final String GROUP = "component.slipway.io";
    public static final String KIND = "Component";
    public static final String API_VERSION = GROUP + "/v1beta1";
    /** {@code "true"}: the controller leaves this component and its children alone. */
    public static final String UNMANAGED = GROUP + "/unmanaged";
    /** One-shot release actions a person (or {@code slipway components}) sets: resume, promote, abort. */
    public static final String RELEASE_ACTION = GROUP + "/release-action";
    /** The label naming the controller instance (shard) a component belongs to. */
    public static final String CONTROLLER_ID = GROUP + "/controller-id";
}
