package io.slipway.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** An os/architecture[/variant] pair as OCI indexes and image configs name it. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Platform(@JsonProperty("os") String os, @JsonProperty("architecture") String architecture,
                       @JsonProperty("variant") String variant) {

    public static Platform parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("/");
        if (parts.length < 2 || parts.length > 3 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("malformed platform '" + text + "': expected os/arch[/variant], e.g. linux/amd64");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** The build host's platform in OCI's (Go's) architecture names. */
    public static Platform current() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "arm" -> "arm";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> System.getProperty("os.arch");
        };
        return new Platform("linux", arch, null);
    }

    /** True when this platform satisfies {@code wanted}; a wanted platform without variant accepts any variant. */
    public boolean matches(Platform wanted) {
        return os.equals(wanted.os) && architecture.equals(wanted.architecture)
                && (wanted.variant == null || wanted.variant.equals(variant));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
