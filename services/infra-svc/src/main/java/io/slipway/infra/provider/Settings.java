package io.slipway.infra.provider;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A provider's settings ({@code slipway.infra.providers.<name>.settings.*}), read with errors that name the setting.
 * A secret is never read from the settings themselves but from the environment variable a {@code *-env} setting names
 * or the file a {@code *-file} setting names, so no secret sits in a configuration file and none is ever echoed.
 */
final class Settings {
    private final Map<String, String> values;

    Settings(Map<String, String> values) {
        this.values = values;
    }

    String required(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("settings." + key + " is required");
        }
        return v.strip();
    }

    Optional<String> optional(String key) {
        return Optional.ofNullable(values.get(key)).map(String::strip).filter(v -> !v.isEmpty());
    }

    Path path(String key) {
        return Path.of(required(key));
    }

    Duration duration(String key, Duration fallback) {
        return optional(key).map(v -> {
            try {
                return v.startsWith("P") ? Duration.parse(v) : Duration.parse("PT" + v.toUpperCase());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("settings." + key + ": '" + v + "' is not a duration (e.g. 20s, 2m)");
            }
        }).orElse(fallback);
    }

    int integer(String key, int fallback) {
        return optional(key).map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("settings." + key + ": '" + v + "' is not a number");
            }
        }).orElse(fallback);
    }

    List<String> list(String key) {
        return optional(key).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()).orElse(List.of());
    }

    /**
     * The secret in the environment variable {@code settings.<key>-env} names, or in the file {@code settings.<key>-file}
     * names (a mounted Kubernetes secret, a file only the service's user reads); empty when neither is set.
     */
    Optional<String> secret(String key) {
        Optional<String> variable = optional(key + "-env");
        if (variable.isPresent()) {
            String value = System.getenv(variable.get());
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("settings." + key + "-env names the environment variable " + variable.get() + ", which is not set");
            }
            return Optional.of(value);
        }
        Optional<String> file = optional(key + "-file");
        if (file.isPresent()) {
            try {
                String value = java.nio.file.Files.readString(Path.of(file.get())).strip();
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("settings." + key + "-file: " + file.get() + " is empty");
                }
                return Optional.of(value);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("settings." + key + "-file: cannot read " + file.get() + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        return Optional.empty();
    }
}
