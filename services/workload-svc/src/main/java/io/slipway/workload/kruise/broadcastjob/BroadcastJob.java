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
 * OpenKruise's BroadcastJob, {@code apps.kruise.io/v1beta1}, the version Kruise stores since it added v1beta1
 * (kruise#2186): a job that runs one pod to completion on every node its template fits. Field names are Kruise's, so
 * its manifests apply unchanged; {@link BroadcastJobV1alpha1} is the same object in the older version.
 */
@Group(BroadcastJob.GROUP)
@Version(value = "v1beta1", storage = true, served = true)
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
public class BroadcastJob extends CustomResource<BroadcastJobSpec, BroadcastJobStatus> implements Namespaced {
    public static final String GROUP = "apps.kruise.io";
    public static final String KIND = "BroadcastJob";
    public static final String API_VERSION = "apps.kruise.io/v1beta1";
}
