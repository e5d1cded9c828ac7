package io.slipway.workload.kruise.statefulset;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the controller observed (Kruise's {@code StatefulSetStatus}, v1beta1). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StatefulSetStatus {
    public Long observedGeneration;
    @io.fabric8.kubernetes.model.annotation.StatusReplicas
    public Integer replicas;
    public Integer readyReplicas;
    public Integer availableReplicas;
    public Integer currentReplicas;
    public Integer updatedReplicas;
    public Integer updatedReadyReplicas;
    public Integer updatedAvailableReplicas;
    public String currentRevision;
    public String updateRevision;
    public Integer collisionCount;
    @io.fabric8.kubernetes.model.annotation.LabelSelector
    public String labelSelector;
    public List<Condition> conditions = new ArrayList<>();
}
