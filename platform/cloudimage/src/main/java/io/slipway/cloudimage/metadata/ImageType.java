package io.slipway.cloudimage.metadata;

import java.util.Arrays;

/** sealer's two kinds of CloudImage: one that installs Kubernetes itself, one that installs apps onto a cluster. */
public enum ImageType {
    KUBE_INSTALLER("kube-installer"),
    APP_INSTALLER("app-installer");

    private final String value;

    ImageType(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static ImageType parse(String text) {
        return Arrays.stream(values()).filter(t -> t.value.equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown image type '" + text
                        + "' (kube-installer or app-installer)"));
    }

    @Override
    public String toString() {
        return value;
    }
}
