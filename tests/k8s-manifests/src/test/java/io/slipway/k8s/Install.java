package io.slipway.k8s;

import io.slipway.k8s.StrictModels.Typed;
import io.slipway.testkit.Needs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** One overlay of deploy/k8s as kubectl renders it, every object typed; rendered once per test JVM. */
record Install(String overlay, String renderer, List<Typed> objects) {
    private static final Map<String, Install> RENDERED = new ConcurrentHashMap<>();

    /** The overlays under deploy/k8s/overlays. */
    static List<String> overlays() {
        try (Stream<Path> dirs = Files.list(Repo.k8s().resolve("overlays"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml"))).map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list deploy/k8s/overlays: " + e.getMessage(), e);
        }
    }

    static Install of(String overlay) {
        Path kubectl = Kustomize.kubectl().orElse(null);
        Needs.machine(kubectl != null, "kubectl (Debian's kubernetes-client, or SLIPWAY_KUBECTL) to render deploy/k8s");
        return RENDERED.computeIfAbsent(overlay, o -> new Install(o, Kustomize.version(kubectl),
                StrictModels.read(Kustomize.render(kubectl, Repo.k8s().resolve("overlays").resolve(o)))));
    }

    <T> List<T> all(Class<T> type) {
        return objects.stream().map(Typed::model).filter(type::isInstance).map(type::cast).toList();
    }

    /** The object of {@code type} named {@code name}; its absence fails, naming the overlay. */
    <T extends io.fabric8.kubernetes.api.model.HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no " + type.getSimpleName() + " " + name));
    }

    @Override
    public String toString() {
        return overlay + " (" + renderer + ")";
    }
}
