package io.slipway.cloudimage.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one RUN command on the build host with the image's root filesystem as working directory and only the
 * variables the Kubefile gives it (never the builder's own environment, which may hold credentials). Output goes to
 * a file that is followed line by line, so a command that leaves a background process holding its output open
 * cannot hang the build; on timeout, and once the command ends, the process and everything it started are killed.
 */
final class RunCommand {

    /** How a command ended. */
    record Outcome(boolean timedOut, int exitCode) {
    }

    private static final int MAX_LINE = 8192;
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private RunCommand() {
    }

    static Outcome run(List<String> argv, Path cwd, Map<String, String> variables, Path workDir, Duration timeout,
                       Consumer<String> lines) throws IOException {
        Path home = Files.createDirectories(workDir.resolve("home"));
        Path tmp = Files.createDirectories(workDir.resolve("tmp"));
        Path output = Files.createTempFile(workDir, "run-", ".log");
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", DEFAULT_PATH));
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("LANG", "C.UTF-8");
        env.put("SLIPWAY_ROOTFS", cwd.toString());
        env.putAll(variables);
        Process process = pb.start();
        process.getOutputStream().close();
        Set<ProcessHandle> seen = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean timedOut = false;
        try (InputStream follow = Files.newInputStream(output)) {
            LineSplitter splitter = new LineSplitter(lines);
            while (true) {
                boolean exited = waitFor(process, 50);
                process.descendants().forEach(seen::add);
                splitter.feed(follow);
                if (exited) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    break;
                }
            }
            killAll(process, seen);
            splitter.feed(follow);
            splitter.flush();
        } finally {
            killAll(process, seen);
            Files.deleteIfExists(output);
        }
        return new Outcome(timedOut, timedOut ? -1 : process.exitValue());
    }

    private static boolean waitFor(Process process, long millis) {
        try {
            return process.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while RUN was executing"));
        }
    }

    /** Kills the command and whatever it started that is still alive, then waits for them to be gone. */
    private static void killAll(Process process, Set<ProcessHandle> seen) {
        List<ProcessHandle> all = new ArrayList<>(seen);
        process.descendants().forEach(all::add);
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception ignored) {
                // a process that outlives SIGKILL for 10 s is stuck in the kernel; nothing more can be done here
            }
        }
    }

    /** Turns the bytes appended to the output file into lines. */
    private static final class LineSplitter {
        private final Consumer<String> lines;
        private final byte[] buffer = new byte[1 << 16];
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        LineSplitter(Consumer<String> lines) {
            this.lines = lines;
        }

        void feed(InputStream in) throws IOException {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        emit();
                    } else if (pending.size() < MAX_LINE) {
                        pending.write(buffer[i]);
                    }
                }
            }
        }

        void flush() {
            if (pending.size() > 0) {
                emit();
            }
        }

        private void emit() {
            String line = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            lines.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
    }
}
