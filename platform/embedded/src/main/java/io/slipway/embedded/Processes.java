package io.slipway.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Small helpers for local child processes (the embedded servers, the local stack's services): free ports, log tails, stopping. */
public final class Processes {

    public static final String LOOPBACK = "127.0.0.1";

    private Processes() {}

    /** A port that is free on 127.0.0.1 right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0), 1);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free port on " + LOOPBACK, e);
        }
    }

    /** The last {@code lines} lines of a (possibly large, possibly missing) log file, for error messages. */
    public static String tail(Path file, int lines) {
        if (file == null || !Files.isRegularFile(file)) {
            return "(no log at " + file + ")";
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int len = (int) Math.min(size, 64 * 1024);
            ByteBuffer buf = ByteBuffer.allocate(len);
            ch.read(buf, size - len);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            List<String> all = text.lines().toList();
            List<String> last = new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()));
            return last.isEmpty() ? "(log " + file + " is empty)" : String.join(System.lineSeparator(), last);
        } catch (IOException e) {
            return "(could not read log " + file + ": " + e + ")";
        }
    }

    static String describeFailure(String what, Path log) {
        return what + System.lineSeparator() + "--- last lines of " + log + " ---" + System.lineSeparator() + tail(log, 40);
    }

    /** Runs a short command to completion, output to {@code log} (appended); returns its exit code. */
    static int run(List<String> command, Path workDir, Path log, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IOException("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
        }
        return p.exitValue();
    }

    /** Asks the process to stop ({@code ask}), waits up to {@code timeout}, then SIGKILLs it and waits for the exit. */
    static void stop(Process process, Runnable ask, Duration timeout) {
        if (!process.isAlive()) {
            return;
        }
        ask.run();
        awaitExitOrKill(process.toHandle(), timeout);
        // The handle's onExit and the Process's own exit record both hang on the JDK's reaper, in no fixed order: the
        // first can complete while process.isAlive() still answers true for a moment, so wait for the Process as well.
        try {
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code grace} for a process asked to stop, then SIGKILLs it (and what it started) and waits. */
    public static void awaitExitOrKill(ProcessHandle handle, Duration grace) {
        try {
            handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killAndWait(handle, Duration.ofSeconds(10));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            killAndWait(handle, Duration.ofSeconds(10));
        }
    }

    /**
     * Completes with {@code process}'s exit code once it has ended (128 plus the signal's number when a signal killed it).
     * A virtual thread waits for it: {@link Process#onExit()} completes on the common fork-join pool, which a few blocking
     * tasks starve on a 2-core machine, and a watch that restarts a dead server must not wait for them.
     */
    public static CompletableFuture<Integer> exitOf(Process process) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofVirtual().name("exit-of-" + process.pid()).start(() -> {
            try {
                exit.complete(process.waitFor());
            } catch (InterruptedException e) {
                exit.completeExceptionally(e);
            }
        });
        return exit;
    }

    static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down and runs the hook itself
        }
    }

    /** SIGKILLs the process (and anything it started) and waits until it is gone. */
    static void killAndWait(ProcessHandle handle, Duration timeout) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception ignored) {
            // reported by the caller through isAlive()
        }
    }

    /** Sends a signal by name (INT, TERM, KILL) through the shell's kill builtin; the JDK can only send TERM/KILL. */
    static void signal(long pid, String signal) {
        try {
            new ProcessBuilder("/bin/sh", "-c", "kill -" + signal + " " + pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("could not send SIG" + signal + " to process " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The process with this pid if it is alive and its command line mentions {@code marker}. */
    public static Optional<ProcessHandle> aliveWithMarker(long pid, String marker) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> {
            String cmd = h.info().commandLine().orElse("");
            if (cmd.isEmpty()) {
                try {
                    byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
                    cmd = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            }
            return cmd.contains(marker);
        });
    }

    static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
