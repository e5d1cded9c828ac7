package io.slipway.provision.aws;

/**
 * The tags every instance Slipway launches carries, set in the RunInstances call itself (TagSpecifications), so an
 * instance is never without them and a crashed caller's instances are still found by pool.
 */
public final class Ec2Tags {
    /** The pool the instance belongs to. */
    public static final String POOL = "slipway:pool";
    /** Its role in the pool (a Clusterfile role). */
    public static final String ROLE = "slipway:role";
    /** The idempotency token of the create that launched it. */
    public static final String TOKEN = "slipway:token";

    private Ec2Tags() {
    }
}
