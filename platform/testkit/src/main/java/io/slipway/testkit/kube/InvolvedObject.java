package io.slipway.testkit.kube;

import java.util.Map;

/** An object created in a {@link SimulatedCluster} that events can be about (a Pod, a Deployment, a Node). */
public record InvolvedObject(String apiVersion, String kind, String namespace, String name, String uid,
                             Map<String, String> labels, Map<String, String> annotations) {
}
