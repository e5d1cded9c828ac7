package io.slipway.provision.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/** Runs the machine's tools (ip, ssh-keygen, nsenter...) for local hosts, failing with their output when they fail. */
public final class HostTools {

    private HostTools() {
    }

    /** Runs {@code cmd} with no stdin and returns its stdout; a non-zero exit or a timeout throws with its output. */
    public static String run(List<String> cmd, Duration timeout) {
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd.subList(0, Math.min(4, cmd.size()))) + "... timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd.subList(0, Math.min(4, cmd.size()))) + "... exited " + p.exitValue()
                        + ": " + err.join().strip() + " " + out.join().strip());
            }
            return out.join();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Runs {@code cmd} while tearing down, where what is already gone is fine. */
    public static void quietly(List<String> cmd) {
        try {
            run(cmd, Duration.ofSeconds(20));
        } catch (RuntimeException ignored) {
            // tearing down: what is already gone is fine
        }
    }

    /**
     * SIGKILLs the processes {@code pids} lists, again and again until it lists none (a process may fork while the
     * previous round is killed), at most 20 rounds; {@code what} names them if some outlive that.
     */
    public static void killUntilNone(String what, Supplier<List<Long>> pids) {
        for (int round = 0; round < 20; round++) {
            List<Long> alive = pids.get();
            if (alive.isEmpty()) {
                return;
            }
            alive.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
        LoggerFactory.getLogger(HostTools.class).warn("processes in {} outlived 20 rounds of SIGKILL", what);
    }

    public static boolean executable(String... paths) {
        for (String p : paths) {
            if (!Files.isExecutable(Path.of(p))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Polls until a freshly started server accepts TCP connections (no event to wait on for a port that opens); fails at
     * once, with {@code diagnostics}, when {@code exited} says the server is gone.
     */
    public static void awaitPort(String what, String address, int port, Duration timeout, BooleanSupplier exited, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (exited.getAsBoolean()) {
                throw new IllegalStateException(what + " exited: " + diagnostics.get());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 500);
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException(what + " did not accept connections on " + address + ":" + port + " within " + timeout
                + " (" + (last == null ? "" : last.getMessage()) + "): " + diagnostics.get());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
