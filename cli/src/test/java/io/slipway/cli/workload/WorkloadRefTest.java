package io.slipway.cli.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.cli.UserError;
import org.junit.jupiter.api.Test;

/** Workloads are named as users type them and reach workload-svc under the path segments it serves. */
class WorkloadRefTest {

    @Test
    void namespaceKindAndNameMapToWorkloadSvcsPath() {
        assertThat(WorkloadRef.parse("prod/statefulset/web", null).path()).isEqualTo("/api/v1/workloads/prod/statefulsets/web");
        assertThat(WorkloadRef.parse("prod/asts/web", null).path()).isEqualTo("/api/v1/workloads/prod/statefulsets/web");
        assertThat(WorkloadRef.parse("prod/STS/web", null).path()).isEqualTo("/api/v1/workloads/prod/statefulsets/web");
        assertThat(WorkloadRef.parse("prod/bcj/warmup", null).path()).isEqualTo("/api/v1/workloads/prod/broadcastjobs/warmup");
        assertThat(WorkloadRef.parse("prod/BroadcastJob/warmup", null).path()).isEqualTo("/api/v1/workloads/prod/broadcastjobs/warmup");
        assertThat(WorkloadRef.parse("prod/sidecarsets/log-agent", null).path()).isEqualTo("/api/v1/workloads/prod/sidecarsets/log-agent");
    }

    @Test
    void kindAndNameTakeTheNamespaceFromTheOptionElseDefault() {
        assertThat(WorkloadRef.parse("sts/web", "prod").path()).isEqualTo("/api/v1/workloads/prod/statefulsets/web");
        assertThat(WorkloadRef.parse("sts/web", null).path()).isEqualTo("/api/v1/workloads/default/statefulsets/web");
        assertThat(WorkloadRef.parse("prod/sts/web", "prod").namespace()).isEqualTo("prod");
    }

    @Test
    void aWorkloadIsNamedAsKruiseSpellsItsKind() {
        assertThat(WorkloadRef.parse("sts/web", null)).hasToString("StatefulSet default/web");
        assertThat(WorkloadRef.parse("prod/bcj/warmup", null)).hasToString("BroadcastJob prod/warmup");
        assertThat(WorkloadRef.parse("sidecarset/log-agent", null)).hasToString("SidecarSet log-agent"); // cluster-scoped
    }

    @Test
    void aBadReferenceSaysWhichFieldIsWrong() {
        assertThatThrownBy(() -> WorkloadRef.parse("default/deployment/web", null)).isInstanceOf(UserError.class)
                .hasMessage("workload 'default/deployment/web': kind 'deployment' is not one of statefulset (asts, sts), broadcastjob (bcj), sidecarset");
        assertThatThrownBy(() -> WorkloadRef.parse("web", null))
                .hasMessage("workload 'web': expected NAMESPACE/KIND/NAME, or KIND/NAME with -n NAMESPACE");
        assertThatThrownBy(() -> WorkloadRef.parse("a/b/c/d", null)).hasMessageContaining("expected NAMESPACE/KIND/NAME");
        assertThatThrownBy(() -> WorkloadRef.parse("Prod/sts/web", null)).hasMessageStartingWith("workload 'Prod/sts/web': namespace 'Prod'");
        assertThatThrownBy(() -> WorkloadRef.parse("sts/web_1", null)).hasMessageStartingWith("workload 'sts/web_1': name 'web_1'");
        assertThatThrownBy(() -> WorkloadRef.parse("sts/", null)).hasMessageStartingWith("workload 'sts/': name ''");
        assertThatThrownBy(() -> WorkloadRef.parse("prod/sts/web", "staging"))
                .hasMessage("workload 'prod/sts/web': namespace 'prod' differs from -n staging; give it once");
    }
}
