package io.slipway.cloudimage.build;

import io.slipway.cloudimage.layer.LayerPlan;
import io.slipway.cloudimage.metadata.Application;
import io.slipway.cloudimage.metadata.ApplicationType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tells an application's type from the files APP put in its directory, with sealer's rules: a chart when Chart.yaml,
 * values.yaml and templates/ sit at its root, kube when every file is YAML, shell when every file is a script, and
 * unknown otherwise (it then needs APPCMDS).
 */
final class ApplicationTypes {

    private ApplicationTypes() {
    }

    static Application infer(String name, LayerPlan plan) {
        String root = Application.pathOf(name);
        List<String> files = new ArrayList<>();
        boolean templates = false;
        for (Map.Entry<String, LayerPlan.Entry> e : plan.entries().tailMap(root, true).entrySet()) {
            if (!e.getKey().startsWith(root)) {
                break;
            }
            String rel = e.getKey().substring(root.length());
            if (e.getValue() instanceof LayerPlan.Directory) {
                templates |= rel.equals("templates");
            } else if (!(e.getValue() instanceof LayerPlan.Whiteout)) {
                files.add(rel);
            }
        }
        if (templates && files.contains("Chart.yaml") && files.contains("values.yaml")) {
            return new Application(name, ApplicationType.HELM, root, List.of());
        }
        if (!files.isEmpty() && files.stream().allMatch(ApplicationTypes::isYaml)) {
            return new Application(name, ApplicationType.KUBE, root, files);
        }
        if (!files.isEmpty() && files.stream().allMatch(f -> f.toLowerCase(Locale.ROOT).endsWith(".sh"))) {
            return new Application(name, ApplicationType.SHELL, root, files);
        }
        return new Application(name, ApplicationType.UNKNOWN, root, List.of());
    }

    private static boolean isYaml(String file) {
        String f = file.toLowerCase(Locale.ROOT);
        return f.endsWith(".yaml") || f.endsWith(".yml");
    }
}
