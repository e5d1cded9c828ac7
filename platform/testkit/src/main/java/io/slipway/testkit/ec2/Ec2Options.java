package io.slipway.testkit.ec2;

import java.time.Duration;
import java.util.Map;

/**
 * How the simulated EC2 behaves. {@link #defaults()} is a healthy region with EC2's documented quotas; a scenario
 * changes what it needs through {@link #toBuilder()}.
 *
 * <p>The default quotas follow "Request throttling for the Amazon EC2 API"
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): every API has its own request bucket of
 * its category's size (non-mutating actions such as DescribeInstances 100 tokens refilled at 20/s; unfiltered and
 * unpaginated non-mutating calls 50 at 10/s; mutating actions such as RunInstances and TerminateInstances 50 at 5/s),
 * and RunInstances and TerminateInstances also draw one resource token per instance (1000 refilled at 2/s and 1000 at
 * 20/s).
 *
 * @param bootMedian               median time from launch to running (log-normal boot times)
 * @param bootP99                  99th percentile of the boot time, which sets the log-normal's spread (heavy tail)
 * @param bootFloor                no instance boots faster than this
 * @param sshDelayMin              shortest time from running until sshd answers
 * @param sshDelayMax              longest time from running until sshd answers
 * @param visibilityDelayMax       a new instance is invisible to describes and terminates for a uniform random while
 *                                 up to this long after RunInstances (EC2's eventual consistency)
 * @param shutdownMin              shortest time an instance spends shutting down
 * @param shutdownMax              longest time an instance spends shutting down
 * @param terminatedRetention      how long a terminated instance stays visible (EC2: about an hour)
 * @param nonMutating              the request bucket of each describe
 * @param unfilteredNonMutating    the request bucket of describes with no filter, id or paging
 * @param mutating                 the request bucket of RunInstances and of TerminateInstances (each its own)
 * @param runInstancesResource     RunInstances' bucket of instances
 * @param terminateResource        TerminateInstances' bucket of instances
 * @param capacity                 live instances each instance type can hold (absent: unlimited)
 * @param capacityShortfallRate    chance that a RunInstances finds less capacity than it asks for
 * @param serverErrorRate          chance that a call fails with InternalError (500) or Unavailable (503), doing nothing
 * @param lostRequestRate          chance that a call never reaches the service (the client sees a timeout, nothing done)
 * @param lostResponseRate         chance that a call is performed and its response lost (the client sees a timeout)
 * @param bootFailureRate          chance that an instance fails to boot (terminated with Server.InternalError)
 */
public record Ec2Options(Duration bootMedian, Duration bootP99, Duration bootFloor, Duration sshDelayMin,
                         Duration sshDelayMax, Duration visibilityDelayMax, Duration shutdownMin, Duration shutdownMax,
                         Duration terminatedRetention, Quota nonMutating, Quota unfilteredNonMutating, Quota mutating,
                         Quota runInstancesResource, Quota terminateResource, Map<String, Integer> capacity,
                         double capacityShortfallRate, double serverErrorRate, double lostRequestRate,
                         double lostResponseRate, double bootFailureRate) {

    public Ec2Options {
        capacity = Map.copyOf(capacity);
        if (bootP99.compareTo(bootMedian) < 0) {
            throw new IllegalArgumentException("bootP99 must not be below bootMedian");
        }
        for (double rate : new double[] {capacityShortfallRate, serverErrorRate, lostRequestRate, lostResponseRate,
                bootFailureRate}) {
            if (rate < 0 || rate > 1) {
                throw new IllegalArgumentException("a fault rate is a probability (0-1), was " + rate);
            }
        }
        if (sshDelayMax.compareTo(sshDelayMin) < 0 || shutdownMax.compareTo(shutdownMin) < 0) {
            throw new IllegalArgumentException("a delay's maximum must not be below its minimum");
        }
    }

    public static Ec2Options defaults() {
        return new Builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.bootMedian = bootMedian;
        b.bootP99 = bootP99;
        b.bootFloor = bootFloor;
        b.sshDelayMin = sshDelayMin;
        b.sshDelayMax = sshDelayMax;
        b.visibilityDelayMax = visibilityDelayMax;
        b.shutdownMin = shutdownMin;
        b.shutdownMax = shutdownMax;
        b.terminatedRetention = terminatedRetention;
        b.nonMutating = nonMutating;
        b.unfilteredNonMutating = unfilteredNonMutating;
        b.mutating = mutating;
        b.runInstancesResource = runInstancesResource;
        b.terminateResource = terminateResource;
        b.capacity = capacity;
        b.capacityShortfallRate = capacityShortfallRate;
        b.serverErrorRate = serverErrorRate;
        b.lostRequestRate = lostRequestRate;
        b.lostResponseRate = lostResponseRate;
        b.bootFailureRate = bootFailureRate;
        return b;
    }

    /** Builds {@link Ec2Options}; every field starts at its default. */
    public static final class Builder {
        private Duration bootMedian = Duration.ofSeconds(25);
        private Duration bootP99 = Duration.ofSeconds(90);
        private Duration bootFloor = Duration.ofSeconds(5);
        private Duration sshDelayMin = Duration.ofSeconds(2);
        private Duration sshDelayMax = Duration.ofSeconds(6);
        private Duration visibilityDelayMax = Duration.ofSeconds(5);
        private Duration shutdownMin = Duration.ofSeconds(3);
        private Duration shutdownMax = Duration.ofSeconds(12);
        private Duration terminatedRetention = Duration.ofHours(1);
        private Quota nonMutating = new Quota(100, 20);
        private Quota unfilteredNonMutating = new Quota(50, 10);
        private Quota mutating = new Quota(50, 5);
        private Quota runInstancesResource = new Quota(1000, 2);
        private Quota terminateResource = new Quota(1000, 20);
        private Map<String, Integer> capacity = Map.of();
        private double capacityShortfallRate;
        private double serverErrorRate;
        private double lostRequestRate;
        private double lostResponseRate;
        private double bootFailureRate;

        private Builder() {
        }

        public Builder boot(Duration median, Duration p99) {
            this.bootMedian = median;
            this.bootP99 = p99;
            return this;
        }

        public Builder bootFloor(Duration floor) {
            this.bootFloor = floor;
            return this;
        }

        public Builder sshDelay(Duration min, Duration max) {
            this.sshDelayMin = min;
            this.sshDelayMax = max;
            return this;
        }

        public Builder visibilityDelayMax(Duration max) {
            this.visibilityDelayMax = max;
            return this;
        }

        public Builder shutdown(Duration min, Duration max) {
            this.shutdownMin = min;
            this.shutdownMax = max;
            return this;
        }

        public Builder terminatedRetention(Duration retention) {
            this.terminatedRetention = retention;
            return this;
        }

        public Builder nonMutating(Quota quota) {
            this.nonMutating = quota;
            return this;
        }

        public Builder unfilteredNonMutating(Quota quota) {
            this.unfilteredNonMutating = quota;
            return this;
        }

        public Builder mutating(Quota quota) {
            this.mutating = quota;
            return this;
        }

        public Builder runInstancesResource(Quota quota) {
            this.runInstancesResource = quota;
            return this;
        }

        public Builder terminateResource(Quota quota) {
            this.terminateResource = quota;
            return this;
        }

        /** Every request bucket unlimited, for tests about something else. */
        public Builder noThrottling() {
            nonMutating = unfilteredNonMutating = mutating = runInstancesResource = terminateResource = Quota.unlimited();
            return this;
        }

        public Builder capacity(Map<String, Integer> perInstanceType) {
            this.capacity = perInstanceType;
            return this;
        }

        public Builder capacityShortfallRate(double rate) {
            this.capacityShortfallRate = rate;
            return this;
        }

        public Builder serverErrorRate(double rate) {
            this.serverErrorRate = rate;
            return this;
        }

        public Builder lostRequestRate(double rate) {
            this.lostRequestRate = rate;
            return this;
        }

        public Builder lostResponseRate(double rate) {
            this.lostResponseRate = rate;
            return this;
        }

        public Builder bootFailureRate(double rate) {
            this.bootFailureRate = rate;
            return this;
        }

        public Ec2Options build() {
            return new Ec2Options(bootMedian, bootP99, bootFloor, sshDelayMin, sshDelayMax, visibilityDelayMax,
                    shutdownMin, shutdownMax, terminatedRetention, nonMutating, unfilteredNonMutating, mutating,
                    runInstancesResource, terminateResource, capacity, capacityShortfallRate, serverErrorRate,
                    lostRequestRate, lostResponseRate, bootFailureRate);
        }
    }
}
