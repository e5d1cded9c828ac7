package io.slipway.testkit.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Runs the machine's tools (ip, ssh-keygen, nsenter...) for the fleet, failing with their output when they fail. */
final class Fleet {
    private Fleet() {
    }

    static String run(List<String> cmd, Duration timeout) {
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

    /**
     * SIGKILLs the processes {@code pids} lists, again and again until it lists none (a process may fork while the
     * previous round is killed), at most 20 rounds; {@code what} names them if some outlive that.
     */
    static void killUntilNone(String what, Supplier<List<Long>> pids) {
        for (int round = 0; round < 20; round++) {
            List<Long> alive = pids.get();
            if (alive.isEmpty()) {
                return;
            }
            alive.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
        System.err.println("[host-fleet] processes in " + what + " outlived 20 rounds of SIGKILL");
    }

    static void quietly(List<String> cmd) {
        try {
            run(cmd, Duration.ofSeconds(20));
        } catch (RuntimeException ignored) {
            // tearing down: what is already gone is fine
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
