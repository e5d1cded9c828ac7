package io.slipway.workload;

import io.slipway.workload.operator.WorkloadConfig;
import java.time.Duration;
import java.util.Optional;

/** workload-svc's configuration for controllers built outside the service, with short lease timings. */
public final class TestConfig {
    private TestConfig() {
    }

    public static WorkloadConfig leaderElection(Duration lease, Duration renewDeadline, Duration retry) {
        WorkloadConfig.LeaderElection election = new WorkloadConfig.LeaderElection() {
            public boolean enabled() { return true; }
            public String leaseName() { return "slipway-workload-svc"; }
            public Optional<String> leaseNamespace() { return Optional.of("default"); }
            public Optional<String> identity() { return Optional.empty(); }
            public Duration leaseDuration() { return lease; }
            public Duration renewDeadline() { return renewDeadline; }
            public boolean exitOnLoss() { return false; }
            public Duration retryPeriod() { return retry; }
        };
        return new WorkloadConfig() {
            public boolean controllers() { return true; }
            public String cluster() { return "test"; }
            public LeaderElection leaderElection() { return election; }
            public int reconcileThreads() { return 4; }
            public Optional<String> revisionNamespace() { return Optional.empty(); }
            public Components component() {
                return new Components() {
                    public String templateNamespace() { return "slipway"; }
                    public int templateRolloutsPerMinute() { return 10; }
                    public Duration maxWait() { return Duration.ofMinutes(5); }
                };
            }
            public CronHpa cronhpa() {
                return new CronHpa() {
                    public String defaultTimeZone() { return "UTC"; }
                    public Duration maxWait() { return Duration.ofMinutes(5); }
                };
            }
        };
    }
}
