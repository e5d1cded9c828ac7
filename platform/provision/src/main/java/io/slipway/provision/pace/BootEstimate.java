package io.slipway.provision.pace;

import java.time.Duration;

/**
 * How long machines of one provider and size take from launch to Running, learnt from the boots seen: a log-normal
 * (boot times are skewed: most close to a median, a long tail of slow ones) whose parameters are the running mean
 * and variance of ln(seconds), starting from a prior worth a few observations so one odd boot does not swing it.
 */
public final class BootEstimate {
    private double n;
    private double mean;
    private double m2;

    /**
     * @param priorMedian what a boot takes before any is seen
     * @param priorSigma  the spread of ln(boot seconds) before any is seen (0.5: the 95th percentile is 2.3x the median)
     * @param priorWeight how many observations the prior is worth, at least 2
     */
    public BootEstimate(Duration priorMedian, double priorSigma, int priorWeight) {
        if (priorWeight < 2 || !(priorSigma > 0) || priorMedian.isNegative() || priorMedian.isZero()) {
            throw new IllegalArgumentException("a boot estimate needs a positive median and spread, and a weight >= 2");
        }
        this.n = priorWeight;
        this.mean = Math.log(seconds(priorMedian));
        this.m2 = priorSigma * priorSigma * (priorWeight - 1);
    }

    /** Boots of machines as EC2 starts them: a median of 20 s, the 95th percentile near 45 s, worth 5 boots. */
    public static BootEstimate prior() {
        return new BootEstimate(Duration.ofSeconds(20), 0.5, 5);
    }

    /** A machine took {@code boot} from launch to Running (Welford's update of mean and variance of the logs). */
    public synchronized void observe(Duration boot) {
        double x = Math.log(Math.max(0.1, seconds(boot)));
        n++;
        double delta = x - mean;
        mean += delta / n;
        m2 += delta * (x - mean);
    }

    /** The boot time that a fraction {@code p} of machines beat. */
    public synchronized Duration quantile(double p) {
        double z = Normal.inverse(Math.min(Math.max(p, 1e-9), 1 - 1e-9));
        double sigma = Math.sqrt(Math.max(m2 / (n - 1), 1e-4));
        return Duration.ofMillis((long) (Math.exp(mean + sigma * z) * 1000));
    }

    /** The time by which all of {@code k} independent boots are over with probability {@code p}. */
    public Duration allDone(int k, double p) {
        return quantile(Math.pow(p, 1.0 / Math.max(1, k)));
    }

    public Duration median() {
        return quantile(0.5);
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
