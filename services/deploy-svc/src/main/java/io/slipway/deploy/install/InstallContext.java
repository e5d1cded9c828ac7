package io.slipway.deploy.install;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What every host of one cluster operation shares: the cluster, its image, where files go on hosts, the full member
 * list hooks see (masters in order, nodes), what master0 launches at the end, and the revision key steps are recorded
 * under.
 */
public record InstallContext(String cluster, InstallImage image, String dataRoot, List<String> masters, List<String> nodes,
                             int registryPort, Duration hookTimeout, LaunchPlan launch, Map<String, InstallImage> platformImages) {

    public InstallContext {
        masters = List.copyOf(masters);
        nodes = List.copyOf(nodes);
        launch = launch == null ? LaunchPlan.NONE : launch;
        platformImages = platformImages == null ? Map.of() : Map.copyOf(platformImages);
    }

    public InstallContext(String cluster, InstallImage image, String dataRoot, List<String> masters, List<String> nodes,
                          int registryPort, Duration hookTimeout, LaunchPlan launch) {
        this(cluster, image, dataRoot, masters, nodes, registryPort, hookTimeout, launch, Map.of());
    }

    /** A context that launches what the image says (no Clusterfile cmd, cmd_args or appNames). */
    public InstallContext(String cluster, InstallImage image, String dataRoot, List<String> masters, List<String> nodes,
                          int registryPort, Duration hookTimeout) {
        this(cluster, image, dataRoot, masters, nodes, registryPort, hookTimeout, imageLaunch(image));
    }

    /** The same context where hosts of each architecture get that variant of the image (a multi-platform CloudImage). */
    public InstallContext withPlatformImages(Map<String, InstallImage> byArchitecture) {
        return new InstallContext(cluster, image, dataRoot, masters, nodes, registryPort, hookTimeout, launch, byArchitecture);
    }

    /** The image {@code target} installs: its architecture's variant, else the cluster's image. */
    public InstallImage imageFor(InstallTarget target) {
        String arch = target.architecture();
        return arch != null && platformImages.containsKey(arch) ? platformImages.get(arch) : image;
    }

    private static LaunchPlan imageLaunch(InstallImage image) {
        if (image == null) {
            return LaunchPlan.NONE;
        }
        try {
            return LaunchPlan.of(image.reference(), image.metadata(), List.of(), List.of(), null);
        } catch (LaunchPlan.LaunchException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public String clusterDir() {
        return dataRoot + "/clusters/" + cluster;
    }

    public String rootfs() {
        return clusterDir() + "/rootfs";
    }

    public String layersDir() {
        return dataRoot + "/layers";
    }

    /**
     * The variables every hook, command and template gets for {@code target}: the image's ENV, overridden by the
     * Clusterfile's env (cluster, then the host's group), then Slipway's own.
     */
    public Map<String, String> variables(InstallTarget target, boolean upgrade) {
        return variables(target, upgrade, Map.of());
    }

    /** As {@link #variables(InstallTarget, boolean)}, with an application's APPENV between the image's ENV and the Clusterfile's. */
    public Map<String, String> variables(InstallTarget target, boolean upgrade, Map<String, String> appEnv) {
        java.util.LinkedHashMap<String, String> v = new java.util.LinkedHashMap<>();
        if (image != null) {
            v.putAll(imageFor(target).metadata().env());
        }
        v.putAll(appEnv);
        v.putAll(target.env());
        v.put("SLIPWAY_CLUSTER", cluster);
        v.put("SLIPWAY_HOST_IP", target.ip());
        v.put("SLIPWAY_ROLES", String.join(",", target.roles()));
        v.put("SLIPWAY_MASTERS", String.join(",", masters));
        v.put("SLIPWAY_NODES", String.join(",", nodes));
        v.put("SLIPWAY_MASTER_INDEX", Integer.toString(masters.indexOf(target.ip())));
        v.put("SLIPWAY_ROOTFS", rootfs());
        v.put("SLIPWAY_DATA_ROOT", dataRoot);
        if (image != null) {
            v.put("SLIPWAY_IMAGE", image.reference());
        }
        v.put("SLIPWAY_UPGRADE", upgrade ? "1" : "0");
        if (image != null && image.hasRegistry() && !masters.isEmpty()) {
            v.put("SLIPWAY_REGISTRY", masters.get(0) + ":" + registryPort);
        }
        return v;
    }

    /**
     * The key a host's steps are recorded under: the image digest plus a hash of what its templates and hooks see
     * (env, member list), so a changed env or a new master reruns them, and nothing else does.
     */
    public String revision(InstallTarget target) {
        Map<String, String> v = new java.util.TreeMap<>(variables(target, false));
        v.remove("SLIPWAY_NODES"); // adding a node must not rerun the masters' steps
        v.remove("SLIPWAY_UPGRADE");
        v.remove("SLIPWAY_IMAGE");
        String hash = io.slipway.oci.Digest.of(v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex().substring(0, 12);
        return imageFor(target).digest().hex().substring(0, 16) + "-" + hash;
    }
}
