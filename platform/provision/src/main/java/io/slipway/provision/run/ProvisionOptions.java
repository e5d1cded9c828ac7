package io.slipway.provision.run;

import io.slipway.provision.pace.Backoff;
import io.slipway.provision.pace.BootEstimates;
import io.slipway.provision.pace.BootWaitSchedule;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Provisioner} paces and bounds its runs.
 *
 * @param deadline         a run that has not every node ready by then fails, naming what is missing
 * @param seed             seeds the backoff jitter (mixed with the pool id, so pools failing together retry apart)
 * @param bootWait         when to describe booting nodes
 * @param backoff          how long to wait after a throttled, failed or short create or describe
 * @param sshProbeInterval how often running nodes are probed over SSH (cheap: no cloud API call)
 * @param sshTimeout       a running node whose SSH server has not answered after this long is replaced
 * @param visibilityWindow how long a created node may stay unknown to describe (eventual consistency) before it is
 *                         taken for lost, released and replaced
 * @param describeBatch    ids per describe call (EC2 takes 100)
 * @param releaseInterval  the wait between rounds of a pool's release
 * @param releaseDeadline  a release with nodes still alive after this long fails, naming them
 * @param bootEstimates    boot times learnt so far, shared by the runs
 */
public record ProvisionOptions(Duration deadline, long seed, BootWaitSchedule bootWait, Backoff.Policy backoff,
                               Duration sshProbeInterval, Duration sshTimeout, Duration visibilityWindow,
                               int describeBatch, Duration releaseInterval, Duration releaseDeadline,
                               BootEstimates bootEstimates) {
    public ProvisionOptions {
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(bootWait, "bootWait");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(sshProbeInterval, "sshProbeInterval");
        Objects.requireNonNull(sshTimeout, "sshTimeout");
        Objects.requireNonNull(visibilityWindow, "visibilityWindow");
        Objects.requireNonNull(releaseInterval, "releaseInterval");
        Objects.requireNonNull(releaseDeadline, "releaseDeadline");
        Objects.requireNonNull(bootEstimates, "bootEstimates");
        if (describeBatch < 1 || sshProbeInterval.isZero() || sshProbeInterval.isNegative()
                || releaseInterval.isZero() || releaseInterval.isNegative()) {
            throw new IllegalArgumentException("describeBatch, sshProbeInterval and releaseInterval must be positive");
        }
    }

    /**
     * A 15-minute deadline; SSH probes every second, given up after 5 minutes; a created node may be invisible for 2
     * minutes; describes of 100 ids; releases rounds 5 s apart for up to 10 minutes; a seed from the clock.
     */
    public static ProvisionOptions defaults() {
        return new ProvisionOptions(Duration.ofMinutes(15), System.nanoTime(), BootWaitSchedule.defaults(),
                Backoff.Policy.defaults(), Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(2), 100,
                Duration.ofSeconds(5), Duration.ofMinutes(10), BootEstimates.withDefaultPrior());
    }

    public ProvisionOptions withDeadline(Duration d) {
        return new ProvisionOptions(d, seed, bootWait, backoff, sshProbeInterval, sshTimeout, visibilityWindow,
                describeBatch, releaseInterval, releaseDeadline, bootEstimates);
    }

    public ProvisionOptions withSeed(long s) {
        return new ProvisionOptions(deadline, s, bootWait, backoff, sshProbeInterval, sshTimeout, visibilityWindow,
                describeBatch, releaseInterval, releaseDeadline, bootEstimates);
    }

    public ProvisionOptions withBootWait(BootWaitSchedule b) {
        return new ProvisionOptions(deadline, seed, b, backoff, sshProbeInterval, sshTimeout, visibilityWindow,
                describeBatch, releaseInterval, releaseDeadline, bootEstimates);
    }

    public ProvisionOptions withBackoff(Backoff.Policy b) {
        return new ProvisionOptions(deadline, seed, bootWait, b, sshProbeInterval, sshTimeout, visibilityWindow,
                describeBatch, releaseInterval, releaseDeadline, bootEstimates);
    }

    public ProvisionOptions withSshProbeInterval(Duration d) {
        return new ProvisionOptions(deadline, seed, bootWait, backoff, d, sshTimeout, visibilityWindow,
                describeBatch, releaseInterval, releaseDeadline, bootEstimates);
    }

    public ProvisionOptions withVisibilityWindow(Duration d) {
        return new ProvisionOptions(deadline, seed, bootWait, backoff, sshProbeInterval, sshTimeout, d,
                describeBatch, releaseInterval, releaseDeadline, bootEstimates);
    }

    public ProvisionOptions withBootEstimates(BootEstimates e) {
        return new ProvisionOptions(deadline, seed, bootWait, backoff, sshProbeInterval, sshTimeout, visibilityWindow,
                describeBatch, releaseInterval, releaseDeadline, e);
    }
}
