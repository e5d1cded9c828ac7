package io.slipway.testkit.ec2;

/**
 * One EC2 token bucket: it holds at most {@code capacity} tokens and gains {@code refillPerSecond} a second; a call (or,
 * for a resource bucket, an instance) takes one token, and a call finding too few is answered
 * {@code RequestLimitExceeded}.
 */
public record Quota(double capacity, double refillPerSecond) {
    public Quota {
        if (capacity < 1 || refillPerSecond <= 0) {
            throw new IllegalArgumentException("a quota needs a capacity of at least 1 and a positive refill rate");
        }
    }

    /** So large that nothing is ever throttled. */
    public static Quota unlimited() {
        return new Quota(1e12, 1e12);
    }
}
