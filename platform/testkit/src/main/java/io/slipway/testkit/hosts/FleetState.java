package io.slipway.testkit.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/**
 * A machine-wide directory where the fleets of every JVM claim what they use, with an atomic {@code mkdir} as the
 * lock: {@code fleet-<id>/} (with its owner: pid and start time) and {@code <slot>-<n>/} (an address range), so a
 * fleet left by a killed JVM can be found and torn down by the next one.
 */
final class FleetState {
    final Path root;

    FleetState(Path root) {
        this.root = root;
    }

    /**
     * Tears down, with {@code teardown}, the fleets of JVMs that are gone (killed before their shutdown hook ran) and
     * releases {@code slot} claims none of them recorded; then claims a fleet id. A clean-up that fails is reported and
     * does not stop the new fleet.
     */
    synchronized String claimFleetAfterCleaning(String slot, Consumer<Path> teardown) {
        try {
            for (Path d : staleFleets()) {
                teardown.accept(d);
            }
            releaseOrphanSlots(slot);
        } catch (IOException | RuntimeException e) {
            System.err.println("[host-fleet] could not clean a stale fleet: " + e.getMessage());
        }
        return claimFleet();
    }

    /** Claims a fleet id no other fleet holds and records this JVM as its owner; returns the id. */
    String claimFleet() {
        try {
            Files.createDirectories(root);
            for (int attempt = 0; attempt < 100; attempt++) {
                String candidate = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(0x10000), 4);
                Path d = fleetDir(candidate);
                try {
                    Files.createDirectory(d);
                } catch (FileAlreadyExistsException taken) {
                    continue;
                }
                ProcessHandle self = ProcessHandle.current();
                Files.writeString(d.resolve("owner"), self.pid() + " " + self.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
                return candidate;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot claim a fleet directory under " + root + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException("no free fleet id under " + root);
    }

    Path fleetDir(String id) {
        return root.resolve("fleet-" + id);
    }

    /**
     * Claims {@code <slot>-<n>} for fleet {@code id}: the first n in [1, 250) that {@code usable} accepts and no other
     * fleet holds. The claim is recorded in the fleet's directory too, so teardown releases it.
     */
    int claimSlot(String slot, String id, IntPredicate usable) {
        try {
            for (int n = 1; n < 250; n++) {
                if (!usable.test(n)) {
                    continue;
                }
                try {
                    Files.createDirectory(root.resolve(slot + "-" + n));
                } catch (FileAlreadyExistsException taken) {
                    continue;
                }
                Files.writeString(root.resolve(slot + "-" + n).resolve("fleet"), id);
                Files.writeString(fleetDir(id).resolve(slot), Integer.toString(n));
                return n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no free " + slot + " for a test fleet under " + root);
    }

    /** Releases the slot a fleet directory records (its address range is free once its teardown is done). */
    void releaseSlot(Path fleetDir, String slot) throws IOException {
        Path claim = fleetDir.resolve(slot);
        if (Files.exists(claim)) {
            deleteTree(root.resolve(slot + "-" + Files.readString(claim).strip()));
        }
    }

    /** Fleet directories whose owner JVM is gone (killed before its shutdown hook ran). */
    List<Path> staleFleets() throws IOException {
        List<Path> stale = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return stale;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("fleet-")).toList()) {
                if (!ownerAlive(d)) {
                    stale.add(d);
                }
            }
        }
        return stale;
    }

    static String fleetId(Path fleetDir) {
        return fleetDir.getFileName().toString().substring("fleet-".length());
    }

    /** Slots claimed by a JVM killed before it recorded the claim in its fleet directory. */
    void releaseOrphanSlots(String slot) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(slot + "-")).toList()) {
                Path fleet = d.resolve("fleet");
                boolean old = Files.getLastModifiedTime(d).toInstant().isBefore(Instant.now().minusSeconds(60));
                if (old && (!Files.exists(fleet) || !Files.isDirectory(fleetDir(Files.readString(fleet).strip())))) {
                    deleteTree(d);
                }
            }
        }
    }

    private static boolean ownerAlive(Path fleetDir) throws IOException {
        Path owner = fleetDir.resolve("owner");
        if (!Files.exists(owner)) {
            // a fleet being claimed this instant has its directory a moment before its owner file
            return Files.getLastModifiedTime(fleetDir).toInstant().isAfter(Instant.now().minusSeconds(60));
        }
        String[] fields = Files.readString(owner).strip().split("\\s+");
        long startMillis = fields.length > 1 ? Long.parseLong(fields[1]) : 0;
        return ProcessHandle.of(Long.parseLong(fields[0])).filter(ProcessHandle::isAlive)
                .map(p -> startMillis == 0 || p.info().startInstant().map(s -> Math.abs(s.toEpochMilli() - startMillis) < 1000).orElse(true))
                .orElse(false);
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
