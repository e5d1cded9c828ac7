package io.slipway.workload.cronhpa;

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
 * kubernetes-cronhpa-controller's {@code autoscaling.alibabacloud.com/v1beta1 CronHorizontalPodAutoscaler}: jobs that
 * scale a workload (through its scale subresource) or move an HPA's bounds on a schedule. Field names are the
 * anchor's, so its manifests apply unchanged; {@code timeZone} and {@code startingDeadlineSeconds} are Slipway's.
 */
@Group("autoscaling.alibabacloud.com")
@Version("v1beta1")
@Kind("CronHorizontalPodAutoscaler")
@Singular("cronhorizontalpodautoscaler")
@Plural("cronhorizontalpodautoscalers")
@ShortNames("cronhpa")
@AdditionalPrinterColumn(name = "Target", jsonPath = ".spec.scaleTargetRef.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Kind", jsonPath = ".spec.scaleTargetRef.kind", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.activeJob", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "The job whose schedule fired last: its targetSize is in effect.")
@AdditionalPrinterColumn(name = "Zone", jsonPath = ".status.timeZone", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CronHorizontalPodAutoscaler extends CustomResource<CronHpaSpec, CronHpaStatus> implements Namespaced {
    public static final String API_VERSION = "autoscaling.alibabacloud.com/v1beta1";
    public static final String KIND = "CronHorizontalPodAutoscaler";
}
