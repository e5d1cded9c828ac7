package io.slipway.bench.provision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/** One strategy's outcomes over the seeds of a scenario and size, and their summary line. */
public final class Figures {
    private final List<Outcome> outcomes = new ArrayList<>();

    public void add(Outcome o) {
        outcomes.add(o);
    }

    public List<Outcome> outcomes() {
        return outcomes;
    }

    public double percentile(ToDoubleFunction<Outcome> f, double p) {
        return percentile(outcomes.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).toArray(), p);
    }

    /** Nearest-rank percentile; NaN for no values. */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public long failures() {
        return outcomes.stream().filter(o -> Double.isNaN(o.readySeconds())).count();
    }

    public double meanCalls() {
        return outcomes.stream().mapToLong(Outcome::totalCalls).average().orElse(Double.NaN);
    }

    public String callsPerAction() {
        Map<String, Double> sums = new TreeMap<>();
        outcomes.forEach(o -> o.calls().forEach((k, v) -> sums.merge(k, (double) v, Double::sum)));
        StringBuilder b = new StringBuilder();
        sums.forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(shortName(k)).append('=')
                .append(String.format(Locale.ROOT, "%.1f", v / outcomes.size())));
        return b.toString();
    }

    public long throttled() {
        return outcomes.stream().mapToLong(Outcome::throttled).sum();
    }

    public long duplicated() {
        return outcomes.stream().mapToLong(Outcome::duplicated).sum();
    }

    public long leaked() {
        return outcomes.stream().mapToLong(Outcome::leaked).sum();
    }

    private static String shortName(String action) {
        return switch (action) {
            case "RunInstances" -> "run";
            case "DescribeInstances" -> "describe";
            case "TerminateInstances" -> "terminate";
            default -> action;
        };
    }
}
