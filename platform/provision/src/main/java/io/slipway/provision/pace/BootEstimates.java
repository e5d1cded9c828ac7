package io.slipway.provision.pace;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The boot estimates per provider and machine size, shared by every run, so each run starts from what earlier ones saw. */
public final class BootEstimates {
    private final Supplier<BootEstimate> prior;
    private final Map<String, BootEstimate> estimates = new ConcurrentHashMap<>();

    public BootEstimates(Supplier<BootEstimate> prior) {
        this.prior = Objects.requireNonNull(prior, "prior");
    }

    /** Estimates that start from {@link BootEstimate#prior()}. */
    public static BootEstimates withDefaultPrior() {
        return new BootEstimates(BootEstimate::prior);
    }

    public BootEstimate of(String provider, String size) {
        return estimates.computeIfAbsent(provider + "\n" + (size == null ? "" : size), k -> prior.get());
    }
}
