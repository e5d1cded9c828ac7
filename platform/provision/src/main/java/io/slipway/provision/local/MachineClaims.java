package io.slipway.provision.local;

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
import org.slf4j.LoggerFactory;

/**
 * A machine-wide directory where everything that makes local hosts (the test kit's fleets in every JVM, local
 * providers) claims what it uses, with an atomic {@code mkdir} as the lock: {@code fleet-<id>/} (a fleet, with its
 * owner: pid and start time) and {@code <slot>-<n>/} (an address range). A fleet left by a killed JVM is found and torn
 * down by the next one; a range held by a local provider is held by its state directory, which outlives JVMs.
 */
public final class MachineClaims {
    /** Namespace hosts' claims: test fleets and local providers share 10.231.0.0/16 through it. */
    public static final MachineClaims NAMESPACES = new MachineClaims(Path.of("/var/tmp/slipway-hosts"));

    private final Path root;

    /** Embedded hosts' claims, per user (no root): test fleets and local providers share 127.231.0.0/16 through it. */
    public static MachineClaims embedded() {
        return new MachineClaims(Path.of("/var/tmp", "slipway-embedded-hosts-" + System.getProperty("user.name")));
    }

    public MachineClaims(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * Tears down, with {@code teardown}, the fleets of JVMs that are gone (killed before their shutdown hook ran) and
     * releases {@code slot} claims none of them recorded; then claims a fleet id. A clean-up that fails is reported and
     * does not stop the new fleet.
     */
    public synchronized String claimFleetAfterCleaning(String slot, Consumer<Path> teardown) {
        try {
            for (Path d : staleFleets()) {
                teardown.accept(d);
            }
            releaseOrphanSlots(slot);
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(MachineClaims.class).warn("could not clean a stale host fleet: {}", e.getMessage());
        }
        return claimFleet();
    }

    /** Claims a fleet id no other fleet holds and records this JVM as its owner; returns the id. */
    public String claimFleet() {
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

    public Path fleetDir(String id) {
        return root.resolve("fleet-" + id);
    }

    /**
     * Claims {@code <slot>-<n>} for fleet {@code id}: the first n in [1, 250) that {@code usable} accepts and no other
     * claim holds. The claim is recorded in the fleet's directory too, so teardown releases it.
     */
    public int claimSlot(String slot, String id, IntPredicate usable) {
        return claim(slot, usable, "fleet", id, fleetDir(id));
    }

    /**
     * Claims {@code <slot>-<n>} for a holder that outlives JVMs (a local provider's state directory): the claim stays
     * while {@code holderDir} exists, and is recorded in it so {@link #releaseSlot} frees it.
     */
    public int claimSlotFor(String slot, Path holderDir, IntPredicate usable) {
        return claim(slot, usable, "holder", holderDir.toAbsolutePath().toString(), holderDir);
    }

    private int claim(String slot, IntPredicate usable, String ownerFile, String owner, Path recordIn) {
        try {
            Files.createDirectories(root);
            for (int n = 1; n < 250; n++) {
                if (!usable.test(n)) {
                    continue;
                }
                try {
                    Files.createDirectory(root.resolve(slot + "-" + n));
                } catch (FileAlreadyExistsException taken) {
                    continue;
                }
                Files.writeString(root.resolve(slot + "-" + n).resolve(ownerFile), owner);
                Files.writeString(recordIn.resolve(slot), Integer.toString(n));
                return n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no free " + slot + " for local hosts under " + root);
    }

    /** Releases the slot a fleet (or holder) directory records (its address range is free once its teardown is done). */
    public void releaseSlot(Path fleetDir, String slot) throws IOException {
        Path claim = fleetDir.resolve(slot);
        if (Files.exists(claim)) {
            deleteTree(root.resolve(slot + "-" + Files.readString(claim).strip()));
        }
    }

    /** Fleet directories whose owner JVM is gone (killed before its shutdown hook ran). */
    public List<Path> staleFleets() throws IOException {
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

    public static String fleetId(Path fleetDir) {
        return fleetDir.getFileName().toString().substring("fleet-".length());
    }

    /** Slots claimed by a JVM killed before it recorded the claim, or whose holder directory is gone. */
    public void releaseOrphanSlots(String slot) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(slot + "-")).toList()) {
                boolean old = Files.getLastModifiedTime(d).toInstant().isBefore(Instant.now().minusSeconds(60));
                if (old && !held(d)) {
                    deleteTree(d);
                }
            }
        }
    }

    private boolean held(Path slotDir) throws IOException {
        Path fleet = slotDir.resolve("fleet");
        Path holder = slotDir.resolve("holder");
        if (Files.exists(holder)) {
            return Files.isDirectory(Path.of(Files.readString(holder).strip()));
        }
        return Files.exists(fleet) && Files.isDirectory(fleetDir(Files.readString(fleet).strip()));
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

    /** Deletes a directory tree, best effort (tearing down). */
    public static void deleteTree(Path p) {
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
