package io.slipway.workload.kruise.broadcastjob;

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
 * The BroadcastJob as Kruise first served it, {@code apps.kruise.io/v1alpha1}: still served, converted to and from the
 * stored v1beta1 by {@link BroadcastJobConversion}. Its fields are v1beta1's, as in Kruise (only the version differs).
 */
@Group(BroadcastJob.GROUP)
@Version(value = "v1alpha1", storage = false, served = true)
@Kind(BroadcastJob.KIND)
@Singular("broadcastjob")
@Plural("broadcastjobs")
@ShortNames("bcj")
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".status.desired", type = AdditionalPrinterColumn.Type.INTEGER,
        getDescription = "The nodes the template fits, where the job runs a pod.")
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.active", type = AdditionalPrinterColumn.Type.INTEGER,
        getDescription = "Pods running now.")
@AdditionalPrinterColumn(name = "Succeeded", jsonPath = ".status.succeeded", type = AdditionalPrinterColumn.Type.INTEGER,
        getDescription = "Pods that reached phase Succeeded.")
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.failed", type = AdditionalPrinterColumn.Type.INTEGER,
        getDescription = "Pods that reached phase Failed.")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class BroadcastJobV1alpha1 extends CustomResource<BroadcastJobSpec, BroadcastJobStatus> implements Namespaced {
    public static final String API_VERSION = "apps.kruise.io/v1alpha1";
}
