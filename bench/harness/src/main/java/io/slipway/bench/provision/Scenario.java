package io.slipway.bench.provision;

import io.slipway.testkit.ec2.Ec2Options;
import io.slipway.testkit.ec2.Quota;

/**
 * One benchmark scenario: how the simulated region behaves, and whether the client is killed right after its first
 * create went through (then restarted {@link Strategy#RESTART} later, as a supervisor would).
 */
public record Scenario(String name, String description, Ec2Options ec2, boolean crashAfterFirstCreate) {

    /** EC2's documented default quotas, nothing failing. */
    public static Scenario noFaults() {
        return new Scenario("no-faults", "default EC2 quotas, no faults", Ec2Options.defaults(), false);
    }

    /** Every request bucket 5 calls deep, refilled at 1 a second (a busy account sharing its quota). */
    public static Scenario tightQuota() {
        Quota tight = new Quota(5, 1);
        return new Scenario("tight-quota", "every API bucket 5 deep, 1 call/s",
                Ec2Options.builder().nonMutating(tight).unfilteredNonMutating(tight).mutating(tight).build(), false);
    }

    /**
     * 30 % of creates find less capacity than asked, 5 % of calls answer 500/503, 2 % never reach the region and 2 %
     * are performed with their response lost (either way the client sees a timeout after 10 s), and the client is
     * killed right after its first create.
     */
    public static Scenario faults() {
        return new Scenario("faults", "30% capacity shortfalls, 5% 5xx, 2% lost requests, 2% lost responses, a client crash after the first create",
                Ec2Options.builder().capacityShortfallRate(0.3).serverErrorRate(0.05).lostRequestRate(0.02)
                        .lostResponseRate(0.02).build(), true);
    }
}
