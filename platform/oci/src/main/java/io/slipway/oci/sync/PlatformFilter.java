package io.slipway.oci.sync;

import io.slipway.oci.Platform;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which platforms of an index a sync keeps: allowed operating systems and architectures (an architecture may name a
 * variant, {@code arm:v7}); an empty list allows all. A filter that allows everything leaves indexes untouched.
 */
public record PlatformFilter(Set<String> os, Set<String> architectures) {

    public static final PlatformFilter ALL = new PlatformFilter(Set.of(), Set.of());

    public PlatformFilter {
        os = Set.copyOf(os);
        architectures = Set.copyOf(architectures);
    }

    /** From {@code os/arch[/variant]} names: their os and arch[:variant] become the allowed sets. */
    public static PlatformFilter of(List<Platform> platforms) {
        return new PlatformFilter(platforms.stream().map(Platform::os).collect(Collectors.toSet()),
                platforms.stream().map(p -> p.architecture() + (p.variant() == null ? "" : ":" + p.variant()))
                        .collect(Collectors.toSet()));
    }

    public boolean allowsAll() {
        return os.isEmpty() && architectures.isEmpty();
    }

    public boolean allows(Platform p) {
        if (p == null) {
            return allowsAll();
        }
        boolean osOk = os.isEmpty() || os.contains(p.os());
        boolean archOk = architectures.isEmpty() || architectures.contains(p.architecture())
                || (p.variant() != null && architectures.contains(p.architecture() + ":" + p.variant()));
        return osOk && archOk;
    }

    @Override
    public String toString() {
        return allowsAll() ? "all platforms" : "os " + (os.isEmpty() ? "any" : String.join(",", os))
                + " arch " + (architectures.isEmpty() ? "any" : String.join(",", architectures));
    }
}
