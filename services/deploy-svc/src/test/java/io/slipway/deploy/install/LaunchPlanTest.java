package io.slipway.deploy.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.cloudimage.metadata.Application;
import io.slipway.cloudimage.metadata.ApplicationType;
import io.slipway.cloudimage.metadata.CloudImageMetadata;
import io.slipway.cloudimage.metadata.ImageType;
import io.slipway.deploy.install.LaunchPlan.Launch;
import io.slipway.deploy.install.LaunchPlan.LaunchException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What master0 launches, decided from the image and the Clusterfile as sealer decides it. */
class LaunchPlanTest {
    static final Application CHART = new Application("nginx", ApplicationType.HELM, "application/apps/nginx/", List.of());
    static final Application MANIFESTS = new Application("web", ApplicationType.KUBE, "application/apps/web/", List.of("a.yaml", "b.yml"));
    static final Application SCRIPTS = new Application("tools", ApplicationType.SHELL, "application/apps/tools/", List.of("install.sh"));
    static final Application BLOB = new Application("blob", ApplicationType.UNKNOWN, "application/apps/blob/", List.of());

    static CloudImageMetadata image(List<String> launch, List<String> cmds, Map<String, List<String>> appCmds) {
        return new CloudImageMetadata(ImageType.APP_INSTALLER, List.of(CHART, MANIFESTS, SCRIPTS, BLOB), launch, cmds, Map.of(),
                appCmds, Map.of("web", Map.of("REPLICAS", "2")), null, List.of(), List.of(), List.of());
    }

    static List<String> lines(LaunchPlan plan) {
        return plan.commands().stream().map(Launch::command).toList();
    }

    @Test
    void launchAppsRunByTheirTypesDefaultFromTheRootfsWithTheirAppEnv() throws Exception {
        LaunchPlan plan = LaunchPlan.of("x:v1", image(List.of("web", "nginx", "tools"), List.of(), Map.of()), List.of(), List.of(), null);
        assertThat(lines(plan)).containsExactly(
                "kubectl apply -f 'application/apps/web/a.yaml' && kubectl apply -f 'application/apps/web/b.yml'",
                "helm install 'nginx' 'application/apps/nginx/'",
                "bash 'application/apps/tools/install.sh'");
        assertThat(plan.commands().get(0).appEnv()).containsEntry("REPLICAS", "2");
        assertThat(plan.commands().get(1).appEnv()).isEmpty();
        assertThat(plan.tools()).containsExactly("bash", "helm", "kubectl");
    }

    @Test
    void appCmdsReplaceTheDefaultAndRunInTheApplicationsDirectory() throws Exception {
        LaunchPlan plan = LaunchPlan.of("x:v1", image(List.of("blob"), List.of(), Map.of("blob", List.of("sh", "run.sh", "--fast"))),
                List.of(), List.of(), null);
        assertThat(lines(plan)).containsExactly("cd 'application/apps/blob/' && sh run.sh --fast");
        assertThat(plan.tools()).isEmpty();
    }

    @Test
    void commandsComeFirstAndTheClusterfilesCmdReplacesThem() throws Exception {
        CloudImageMetadata withCmds = image(List.of(), List.of("echo one", "echo two"), Map.of());
        assertThat(lines(LaunchPlan.of("x:v1", withCmds, List.of(), List.of(), null))).containsExactly("echo one", "echo two");
        // spec.cmd replaces CMDS; appNames do not launch anything while there are commands, as in sealer
        LaunchPlan overridden = LaunchPlan.of("x:v1", withCmds, List.of("echo mine"), List.of(), List.of("web"));
        assertThat(lines(overridden)).containsExactly("echo mine");
        assertThat(overridden.commands().get(0).what()).isEqualTo("cmd");
    }

    @Test
    void appNamesChooseTheApplicationsAndAnEmptyNameLaunchesNone() throws Exception {
        CloudImageMetadata launches = image(List.of("web"), List.of(), Map.of());
        assertThat(LaunchPlan.of("x:v1", launches, List.of(), List.of(), List.of("tools", "nginx")).commands())
                .extracting(Launch::what).containsExactly("tools", "nginx");
        assertThat(LaunchPlan.of("x:v1", launches, List.of(), List.of(), List.of("")).isEmpty()).isTrue();
    }

    @Test
    void cmdArgsGoQuotedToTheOneCommand() throws Exception {
        CloudImageMetadata one = image(List.of(), List.of("install.sh"), Map.of());
        assertThat(lines(LaunchPlan.of("x:v1", one, List.of(), List.of("--mode", "it's ha"), null)))
                .containsExactly("install.sh '--mode' 'it'\\''s ha'");
        assertThatThrownBy(() -> LaunchPlan.of("x:v1", image(List.of(), List.of("a", "b"), Map.of()), List.of(), List.of("--x"), null))
                .isInstanceOf(LaunchException.class).hasMessageContaining("spec.cmd_args").hasMessageContaining("2 commands");
        assertThatThrownBy(() -> LaunchPlan.of("x:v1", image(List.of("web"), List.of(), Map.of()), List.of(), List.of("--x"), null))
                .isInstanceOf(LaunchException.class).hasMessageContaining("spec.cmd_args").hasMessageContaining("launches applications");
    }

    @Test
    void anUnknownApplicationOrOneWithNoWayToLaunchIsAClearError() {
        assertThatThrownBy(() -> LaunchPlan.of("x:v1", image(List.of("web"), List.of(), Map.of()), List.of(), List.of(), List.of("db")))
                .isInstanceOf(LaunchException.class)
                .hasMessage("spec.appNames: x:v1 has no application 'db' (it has: nginx, web, tools, blob)");
        assertThatThrownBy(() -> LaunchPlan.of("x:v1", image(List.of("blob"), List.of(), Map.of()), List.of(), List.of(), null))
                .isInstanceOf(LaunchException.class).hasMessageContaining("'blob'").hasMessageContaining("APPCMDS");
    }

    @Test
    void theKeyFollowsWhatRuns() throws Exception {
        CloudImageMetadata launches = image(List.of("web"), List.of(), Map.of());
        String web = LaunchPlan.of("x:v1", launches, List.of(), List.of(), null).key();
        assertThat(LaunchPlan.of("x:v1", launches, List.of(), List.of(), null).key()).isEqualTo(web);
        assertThat(LaunchPlan.of("x:v1", launches, List.of(), List.of(), List.of("nginx")).key()).isNotEqualTo(web);
    }
}
