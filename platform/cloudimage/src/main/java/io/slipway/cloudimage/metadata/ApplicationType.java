package io.slipway.cloudimage.metadata;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/** How an application is launched on the cluster, inferred from its files as sealer does. */
public enum ApplicationType {
    /** A chart (Chart.yaml, values.yaml and templates/ at the application's root): {@code helm install}. */
    HELM("helm"),
    /** Only YAML files: {@code kubectl apply -f} each. */
    KUBE("kube"),
    /** Only shell scripts: run them. */
    SHELL("shell"),
    /** Anything else: the application needs APPCMDS to say how to launch it. */
    UNKNOWN("unknown");

    private final String value;

    ApplicationType(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    @JsonCreator
    public static ApplicationType parse(String text) {
        return Arrays.stream(values()).filter(t -> t.value.equals(text)).findFirst().orElse(UNKNOWN);
    }
}
