package io.slipway.workload;

import io.slipway.workload.operator.WorkloadConfig;
import io.slipway.workload.operator.WorkloadConfigs;
import java.time.Duration;
import java.util.Map;

/** workload-svc's configuration for controllers built outside the service, with short lease timings. */
public final class TestConfig {
    private TestConfig() {
    }

    public static WorkloadConfig leaderElection(Duration lease, Duration renewDeadline, Duration retry) {
        return WorkloadConfigs.of(Map.of("slipway.workload.controllers", "true", "slipway.workload.cluster", "test",
                "slipway.workload.reconcile-threads", "4", "slipway.workload.leader-election.lease-namespace", "default",
                "slipway.workload.leader-election.lease-duration", lease.toMillis() + "ms",
                "slipway.workload.leader-election.renew-deadline", renewDeadline.toMillis() + "ms",
                "slipway.workload.leader-election.retry-period", retry.toMillis() + "ms",
                "slipway.workload.leader-election.exit-on-loss", "false"));
    }
}
