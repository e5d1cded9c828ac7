package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.Revisions;
import java.util.ArrayList;
import java.util.List;

/**
 * One revision of a SidecarSet: what a pod that runs it has of the SidecarSet, its containers and volumes (init
 * containers only matter when a pod is created, so, as in Kruise, a change of them is no new revision). {@code hash}
 * names it in the pods' {@code kruise.io/sidecarset-hash} annotation; {@code hashWithoutImage}, the same without the
 * images, tells whether a pod can reach it in place; {@code template} holds it as a pod template, the form
 * {@link io.slipway.workload.kruise.pod.InPlaceUpdate#diff} compares and a ControllerRevision stores.
 */
public record SidecarRevision(String name, String hash, String hashWithoutImage, PodTemplateSpec template) {
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    public static SidecarRevision of(SidecarSet set) {
        List<Container> containers = new ArrayList<>(set.getSpec().containers == null ? List.of() : set.getSpec().containers);
        List<Volume> volumes = set.getSpec().volumes == null ? List.of() : set.getSpec().volumes;
        ObjectNode data = JSON.createObjectNode();
        data.set("containers", JSON.valueToTree(containers));
        data.set("volumes", JSON.valueToTree(volumes));
        String hash = Revisions.hash(data, 0);
        ObjectNode withoutImages = data.deepCopy();
        ((ArrayNode) withoutImages.get("containers")).forEach(c -> ((ObjectNode) c).remove("image"));
        PodTemplateSpec template = new PodTemplateSpec();
        PodSpec spec = new PodSpec();
        spec.setContainers(containers);
        spec.setVolumes(volumes);
        template.setSpec(spec);
        return new SidecarRevision(set.getMetadata().getName() + "-" + hash, hash, Revisions.hash(withoutImages, 0), template);
    }

    /** The image of sidecar {@code container} in this revision, or null when it has no such sidecar. */
    public String image(String container) {
        return template.getSpec().getContainers().stream().filter(c -> container.equals(c.getName())).map(Container::getImage)
                .findFirst().orElse(null);
    }
}
