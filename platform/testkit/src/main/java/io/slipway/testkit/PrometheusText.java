package io.slipway.testkit;

import java.util.Arrays;

/** Reads samples out of a service's {@code /q/metrics} (Prometheus text format), for tests of what a service records. */
public final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The sum of every sample of metric {@code name} whose labels contain each of {@code labels} (as written, e.g.
     * {@code outcome="succeeded"}); 0 when there is none.
     */
    public static double sum(String text, String name, String... labels) {
        return text.lines().filter(l -> !l.startsWith("#"))
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** Whether {@code text} has at least one sample of metric {@code name}. */
    public static boolean has(String text, String name) {
        return text.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "));
    }
}
