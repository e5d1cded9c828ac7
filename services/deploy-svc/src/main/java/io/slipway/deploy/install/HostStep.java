package io.slipway.deploy.install;

/**
 * The steps a host goes through, in order. Each is recorded per host and image digest, so an interrupted install
 * resumes after the last completed step and a repeated apply skips what is done.
 */
public enum HostStep {
    /** OS, architecture, free disk, required tools, ports. */
    PREFLIGHT("preflight"),
    /** Layers the host does not have yet, by digest, verified on arrival. */
    DISTRIBUTE("distribute"),
    /** Layers unpacked in order into a fresh rootfs that replaces the old one. */
    UNPACK("unpack"),
    /** The image's *.tmpl files rendered with the cluster's and the host's env. */
    RENDER("render"),
    /** hooks/&lt;role&gt;/*.sh: masters one by one, then nodes in parallel. */
    HOOKS("hooks"),
    /** The cluster-local registry serving the image's cached container images (master0). */
    REGISTRY("registry"),
    /** What master0 launches once every host is done: the Clusterfile's cmd, the image's CMDS, or its LAUNCH apps. */
    CMDS("cmds"),
    /** hooks/clean/*.sh and the removal of the cluster's files (delete, scale-down, reset). */
    CLEAN("clean");

    private final String label;

    HostStep(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static HostStep fromLabel(String label) {
        for (HostStep s : values()) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown step " + label);
    }
}
