package io.slipway.cli.stack;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * {@code stack.json}: what a running {@code up} process started, so that {@code down}, {@code status} and
 * {@code events} find it. Written once everything is healthy, removed when the stack stops.
 */
public final class StackFile {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The content of the file. {@code pid} is the {@code up} process, which also runs the gateway. */
    public record State(long pid, String dataDir, String startedAt, Endpoint gateway, Kafka kafka, Postgres postgres,
                        List<Service> services) {
    }

    public record Endpoint(String url, int port) {
    }

    /** The broker, with its restarts, last exit and whether the stack gave up on it, as for a {@link Service}. */
    public record Kafka(long pid, String bootstrapServers, int restarts, String lastExit, boolean gaveUp) {
    }

    public record Postgres(long pid, int port, int restarts, String lastExit, boolean gaveUp) {
    }

    /**
     * One service: {@code restarts} since {@code up} started it, how its last run ended ({@code lastExit}, null if none
     * has), {@code gaveUp} once it crashed too often to be started again, and {@code stopped} while an operator keeps it
     * stopped ({@code slipway stop}).
     */
    public record Service(String name, String domain, long pid, int port, String url, String log, int restarts, String lastExit,
                          boolean gaveUp, boolean stopped) {
    }

    private StackFile() {
    }

    public static Optional<State> read(StackLayout layout) {
        Path file = layout.stackFile();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readValue(file.toFile(), State.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (" + e.getMessage() + "); if no stack runs, delete it", e);
        }
    }

    public static void write(StackLayout layout, State state) {
        Path file = layout.stackFile();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            MAPPER.writeValue(tmp.toFile(), state);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the file if it still describes the stack of process {@code pid}. */
    public static void removeIfOwnedBy(StackLayout layout, long pid) {
        try {
            Optional<State> state = read(layout);
            if (state.isPresent() && state.get().pid() == pid) {
                Files.deleteIfExists(layout.stackFile());
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not remove " + layout.stackFile() + ": " + e.getMessage());
        }
    }

    /** The live {@code up} process a state names, if it still runs. */
    /** Whether the process {@code pid} (a service, Kafka, PostgreSQL, as the file names it) is running. */
    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public static Optional<ProcessHandle> liveUpProcess(State state) {
        return ProcessHandle.of(state.pid()).filter(ProcessHandle::isAlive);
    }
}
