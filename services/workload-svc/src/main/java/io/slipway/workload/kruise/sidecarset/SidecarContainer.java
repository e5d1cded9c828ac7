package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import java.util.List;
import java.util.Map;

/** Kruise's {@code SidecarContainer}: a container, and how it is injected and upgraded. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SidecarContainer extends Container {
    /** BeforeAppContainer (the default) or AfterAppContainer: where it goes among the pod's containers. */
    public String podInjectPolicy;
    public UpgradeStrategy upgradeStrategy;
    /** {@code enabled}: the sidecar also mounts every volume the pod's own containers mount. */
    public ShareVolumePolicy shareVolumePolicy;
    /** {@code enabled}: the sidecar also gets the volume devices of the pod's own containers. */
    public ShareVolumePolicy shareVolumeDevicePolicy;
    /** Environment variables copied from the pod's own containers. */
    public List<TransferEnvVar> transferEnv;
    /** Kruise's resources computed from the pod's containers (refused by the validating webhook: not supported yet). */
    @PreserveUnknownFields
    public Map<String, Object> resourcesPolicy;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class UpgradeStrategy {
        /** ColdUpgrade (the default: the container restarts with its new image) or HotUpgrade (two containers hand over, {@link HotUpgrade}). */
        public String upgradeType;
        public String hotUpgradeEmptyImage;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ShareVolumePolicy {
        /** enabled or disabled (the default). */
        public String type;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TransferEnvVar {
        /** The pod's container to copy from. */
        public String sourceContainerName;
        /** The container to copy from, named by a field of the pod (metadata.name, a label or an annotation). */
        public SourceContainerNameSource sourceContainerNameFrom;
        public String envName;
        public List<String> envNames;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SourceContainerNameSource {
        public ObjectFieldSelector fieldRef;
    }
}
