package io.slipway.cloudimage.metadata;

import io.slipway.oci.Json;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a CloudImage is beyond its files, as sealer's image extension has it: type, applications, how to launch, the
 * environment, and the container images cached in it. Stored as manifest (and index) annotations under
 * {@code io.slipway.image.}, so {@code inspect} and any OCI tool show it; lists and maps are canonical JSON.
 *
 * @param launch      applications LAUNCH starts, in order
 * @param cmds        commands CMDS (or the deprecated CMD) runs when the cluster is up
 * @param env         ENV: global defaults a Clusterfile may override
 * @param appCmds     APPCMDS: per application, the commands that launch it instead of the type's default
 * @param appEnv      APPENV: per application environment
 * @param kubeVersion KUBEVERSION: the Kubernetes versions the image supports
 * @param cni         the applications CNI declared
 * @param csi         the applications CSI declared
 * @param images      container images cached in the image's registry layer
 */
public record CloudImageMetadata(ImageType type, List<Application> applications, List<String> launch, List<String> cmds,
                                 Map<String, String> env, Map<String, List<String>> appCmds,
                                 Map<String, Map<String, String>> appEnv, String kubeVersion, List<String> cni,
                                 List<String> csi, List<String> images) {

    public static final String PREFIX = "io.slipway.image.";
    public static final String TYPE = PREFIX + "type";
    public static final String APPLICATIONS = PREFIX + "applications";
    public static final String LAUNCH = PREFIX + "launch";
    public static final String CMDS = PREFIX + "cmds";
    public static final String ENV = PREFIX + "env";
    public static final String APPCMDS = PREFIX + "appcmds";
    public static final String APPENV = PREFIX + "appenv";
    public static final String KUBEVERSION = PREFIX + "kubeversion";
    public static final String CNI = PREFIX + "cni";
    public static final String CSI = PREFIX + "csi";
    public static final String IMAGES = PREFIX + "images";

    public CloudImageMetadata {
        applications = List.copyOf(applications);
        launch = List.copyOf(launch);
        cmds = List.copyOf(cmds);
        env = Map.copyOf(env);
        appCmds = Map.copyOf(appCmds);
        appEnv = Map.copyOf(appEnv);
        cni = List.copyOf(cni);
        csi = List.copyOf(csi);
        images = List.copyOf(images);
    }

    /** The annotations of an image that has none of ours yet (FROM scratch). */
    public static CloudImageMetadata empty() {
        return new CloudImageMetadata(ImageType.APP_INSTALLER, List.of(), List.of(), List.of(), Map.of(), Map.of(),
                Map.of(), null, List.of(), List.of(), List.of());
    }

    public Map<String, String> toAnnotations() {
        Map<String, String> a = new TreeMap<>();
        a.put(TYPE, type.value());
        putJson(a, APPLICATIONS, applications, applications.isEmpty());
        putJson(a, LAUNCH, launch, launch.isEmpty());
        putJson(a, CMDS, cmds, cmds.isEmpty());
        putJson(a, ENV, env, env.isEmpty());
        putJson(a, APPCMDS, appCmds, appCmds.isEmpty());
        putJson(a, APPENV, appEnv, appEnv.isEmpty());
        if (kubeVersion != null) {
            a.put(KUBEVERSION, kubeVersion);
        }
        putJson(a, CNI, cni, cni.isEmpty());
        putJson(a, CSI, csi, csi.isEmpty());
        putJson(a, IMAGES, images, images.isEmpty());
        return a;
    }

    /** Reads what {@link #toAnnotations()} wrote; an image without our annotations reads as {@link #empty()}. */
    public static CloudImageMetadata fromAnnotations(Map<String, String> a) {
        String type = a.get(TYPE);
        return new CloudImageMetadata(
                type == null ? ImageType.APP_INSTALLER : ImageType.parse(type),
                read(a, APPLICATIONS, new TypeReference<List<Application>>() { }, List.of()),
                read(a, LAUNCH, new TypeReference<List<String>>() { }, List.of()),
                read(a, CMDS, new TypeReference<List<String>>() { }, List.of()),
                read(a, ENV, new TypeReference<Map<String, String>>() { }, Map.of()),
                read(a, APPCMDS, new TypeReference<Map<String, List<String>>>() { }, Map.of()),
                read(a, APPENV, new TypeReference<Map<String, Map<String, String>>>() { }, Map.of()),
                a.get(KUBEVERSION),
                read(a, CNI, new TypeReference<List<String>>() { }, List.of()),
                read(a, CSI, new TypeReference<List<String>>() { }, List.of()),
                read(a, IMAGES, new TypeReference<List<String>>() { }, List.of()));
    }

    private static void putJson(Map<String, String> a, String key, Object value, boolean empty) {
        if (!empty) {
            a.put(key, new String(Json.canonical(value), StandardCharsets.UTF_8));
        }
    }

    private static <T> T read(Map<String, String> a, String key, TypeReference<T> type, T absent) {
        String json = a.get(key);
        if (json == null) {
            return absent;
        }
        try {
            return Json.mapper().readValue(json, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("annotation " + key + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
