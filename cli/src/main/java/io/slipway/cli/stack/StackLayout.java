package io.slipway.cli.stack;

import java.nio.file.Path;

/** Where a stack keeps its things under its data directory. */
public record StackLayout(Path dataDir) {
    public StackLayout {
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    public Path postgres() {
        return dataDir.resolve("postgres");
    }

    public Path kafka() {
        return dataDir.resolve("kafka");
    }

    public Path keys() {
        return dataDir.resolve("keys");
    }

    /** A service's own files (build-svc's image store, logs and contexts, for one). */
    public Path service(String name) {
        return dataDir.resolve("services").resolve(name);
    }

    public Path logs() {
        return dataDir.resolve("logs");
    }

    public Path log(String service) {
        return logs().resolve(service + ".log");
    }

    /**
     * {@code slipway stop SERVICE} leaves {@code <service>.stopped} here; the {@code up} process stops that service and
     * keeps it stopped while the file is there ({@code slipway start} removes it). Cleared when a stack starts.
     */
    public Path stopRequest(String service) {
        return dataDir.resolve("control").resolve(service + ".stopped");
    }

    public Path stackFile() {
        return dataDir.resolve("stack.json");
    }
}
