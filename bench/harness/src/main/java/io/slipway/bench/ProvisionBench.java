package io.slipway.bench;

import io.slipway.bench.provision.Figures;
import io.slipway.bench.provision.OursStrategy;
import io.slipway.bench.provision.Outcome;
import io.slipway.bench.provision.Scenario;
import io.slipway.bench.provision.SealerLike;
import io.slipway.bench.provision.Strategy;
import io.slipway.bench.provision.TerraformLike;
import io.slipway.provision.PoolPlan;
import io.slipway.provision.PoolPlan.RolePlan;
import io.slipway.provision.VirtualTicker;
import io.slipway.testkit.ec2.SimulatedEc2;
import io.slipway.testkit.ec2.SimulatedProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The provisioning benchmark (run {@code bench/provision}): on the test kit's simulated EC2 region and its virtual
 * clock, pools of N = 6 and N = 100 nodes (3 masters, the rest workers; boot times log-normal, median 25 s, p99 90 s),
 * per seed and scenario: (a) the floor, the slowest of the pool's nodes reaching Running and answering SSH, from the
 * region's own record; (b) Slipway's Provisioner on the simulated provider; (c) a Terraform-like and (d) a sealer-like
 * baseline on the raw region. Each strategy runs on its own region built from the same seed. Prints p50/p95 of the
 * time to every node answering SSH, API calls per run by action, throttled calls, and instances duplicated or leaked,
 * per strategy; the last line is {@code ratio=<p95 over seeds of (b)/(a)>} for N = 100 without faults.
 *
 * <p>System properties: {@code bench.seeds} (200), {@code bench.sizes} ({@code 6,100}), {@code bench.scenarios}
 * ({@code no-faults,tight-quota,faults}).
 */
public final class ProvisionBench {
    private static final int SEEDS = Integer.getInteger("bench.seeds", 200);
    private static final List<Integer> SIZES = Arrays.stream(System.getProperty("bench.sizes", "6,100").split(","))
            .map(String::strip).map(Integer::parseInt).toList();
    private static final List<String> SCENARIOS = Arrays.stream(
            System.getProperty("bench.scenarios", "no-faults,tight-quota,faults").split(",")).map(String::strip).toList();

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        List<Scenario> scenarios = new ArrayList<>();
        for (Scenario s : List.of(Scenario.noFaults(), Scenario.tightQuota(), Scenario.faults())) {
            if (SCENARIOS.contains(s.name())) {
                scenarios.add(s);
            }
        }
        OursStrategy ours = new OursStrategy();
        List<Strategy> strategies = List.of(ours, new TerraformLike(), new SealerLike());
        Double ratio = null;
        for (Scenario scenario : scenarios) {
            for (int n : SIZES) {
                PoolPlan plan = new PoolPlan("bench-pool", SimulatedProvider.KIND, List.of(
                        new RolePlan("master", Math.min(3, n), SimulatedProvider.DEFAULT_INSTANCE_TYPE, SimulatedProvider.DEFAULT_IMAGE),
                        new RolePlan("node", Math.max(0, n - 3), SimulatedProvider.DEFAULT_INSTANCE_TYPE, SimulatedProvider.DEFAULT_IMAGE)));
                Map<String, Figures> figures = new LinkedHashMap<>();
                strategies.forEach(s -> figures.put(s.name(), new Figures()));
                for (long seed = 1; seed <= SEEDS; seed++) {
                    for (Strategy strategy : strategies) {
                        VirtualTicker clock = new VirtualTicker(Strategy.T0);
                        SimulatedEc2 ec2 = new SimulatedEc2(scenario.ec2(), seed, clock);
                        figures.get(strategy.name()).add(strategy.run(ec2, clock, plan, scenario, seed));
                    }
                }
                double r = print(scenario, n, figures);
                if (scenario.name().equals("no-faults") && n == 100) {
                    ratio = r;
                }
            }
        }
        System.out.printf(Locale.ROOT, "total %.1f s of wall time; client bucket of (b): %d deep, %.0f calls/s%n",
                (System.nanoTime() - t0) / 1e9, OursStrategy.BUCKET_CAPACITY, OursStrategy.BUCKET_RATE);
        System.out.println(ratio == null ? "ratio=n/a (N=100 without faults was not run)"
                : String.format(Locale.ROOT, "ratio=%.3f", ratio));
    }

    /** Prints one scenario and size; answers the p95 over seeds of (b)/(a). */
    private static double print(Scenario scenario, int n, Map<String, Figures> figures) {
        Figures ours = figures.get("ours");
        double[] ratios = ours.outcomes().stream().mapToDouble(o -> o.readySeconds() / o.floorSshReady()).toArray();
        System.out.printf(Locale.ROOT, "%n== %s (%s), N=%d, %d seeds; times to every node answering SSH, s%n",
                scenario.name(), scenario.description(), n, ours.outcomes().size());
        System.out.printf(Locale.ROOT, "  %-30s %8s %8s  %-17s %-42s %9s %10s %6s%n", "strategy", "p50", "p95",
                "/own floor p50,p95", "API calls per run (mean, by action)", "throttled", "duplicated", "leaked");
        System.out.printf(Locale.ROOT, "  %-30s %8.1f %8.1f%n", "(a) floor: slowest Running", ours.percentile(Outcome::floorRunning, 50),
                ours.percentile(Outcome::floorRunning, 95));
        System.out.printf(Locale.ROOT, "  %-30s %8.1f %8.1f%n", "(a) floor: slowest SSH-ready", ours.percentile(Outcome::floorSshReady, 50),
                ours.percentile(Outcome::floorSshReady, 95));
        line("(b) ours", figures.get("ours"), Outcome::readySeconds);
        line("(c) terraform-like", figures.get("terraform-like"), Outcome::readySeconds);
        line("(d) sealer-like", figures.get("sealer-like"), Outcome::readySeconds);
        Figures sealer = figures.get("sealer-like");
        System.out.printf(Locale.ROOT, "  %-30s %8.1f %8.1f   (its own 'done': every private IP known)%n", "(d) sealer-like, IPs known",
                sealer.percentile(Outcome::ipsKnownSeconds, 50), sealer.percentile(Outcome::ipsKnownSeconds, 95));
        double p95 = Figures.percentile(ratios, 95);
        System.out.printf(Locale.ROOT, "  (b)/(a) per seed: p50=%.3f p95=%.3f max=%.3f; (b) API calls per run %.1f against N x 3 = %d%n",
                Figures.percentile(ratios, 50), p95, Figures.percentile(ratios, 100), ours.meanCalls(), n * 3);
        return p95;
    }

    /**
     * One strategy's line. "/own floor" is its time over the slowest SSH-ready of the nodes it ended up with, in its
     * own region: each strategy's calls draw from the seed's random sequence in their own order, so its machines boot
     * in other times than (b)'s.
     */
    private static void line(String name, Figures f, java.util.function.ToDoubleFunction<Outcome> time) {
        System.out.printf(Locale.ROOT, "  %-30s %8.1f %8.1f  %-17s %-42s %9d %10d %6d%s%n", name, f.percentile(time, 50),
                f.percentile(time, 95), String.format(Locale.ROOT, "%.3f, %.3f",
                        f.percentile(o -> time.applyAsDouble(o) / o.floorSshReady(), 50),
                        f.percentile(o -> time.applyAsDouble(o) / o.floorSshReady(), 95)),
                String.format(Locale.ROOT, "%.1f (%s)", f.meanCalls(), f.callsPerAction()),
                f.throttled(), f.duplicated(), f.leaked(), f.failures() > 0 ? "   " + f.failures() + " run(s) gave up" : "");
    }
}
