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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one RUN command in a sandbox (see {@code run-sandbox.sh}). It has its own mount, PID, IPC, UTS and network
 * namespaces, and sees the host's programs read-only, the image's root filesystem read-write at {@code /rootfs} (its
 * working directory, also {@code $SLIPWAY_ROOTFS}) and the build context read-only at {@code /context}. It sees none of
 * the host's other files, processes or network. It runs as an unprivileged user with no capabilities and bounded
 * processes, memory and file size, and with only the variables the Kubefile gives it: never the builder's own
 * environment, and never a PATH or LD_* of the Kubefile's. Output goes to a file that is followed line by line, so a
 * command that leaves a background process holding its output open cannot hang the build. When the command ends the
 * kernel kills whatever it started (the PID namespace ends with it); on timeout all of it is killed.
 */
final class RunCommand {

    /** How a command ended. */
    record Outcome(boolean timedOut, int exitCode) {
    }

    private static final int MAX_LINE = 8192;
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String SCRIPT = script();

    /** Who RUN runs as when the builder is root: nobody, which owns nothing of the host's. */
    static final int SANDBOX_UID = 65534;
    /** Processes the sandbox user may have at once: a fork bomb stops here. */
    static final long MAX_PROCESSES = 1024;
    /** Data memory (heap and private mappings) per process. */
    static final long MAX_DATA_BYTES = 8L << 30;
    /** The largest file a RUN may write. */
    static final long MAX_FILE_BYTES = 16L << 30;
    /** The sandbox's /tmp, held in memory. */
    static final long TMP_BYTES = 1L << 30;

    private RunCommand() {
    }

    /**
     * Runs {@code argv} with {@code rootfs} as {@code /rootfs} and working directory and {@code context} as
     * {@code /context}; with the host's network only when {@code hostNetwork}.
     */
    static Outcome run(List<String> argv, Path rootfs, Path context, Map<String, String> variables, boolean hostNetwork,
                       Path workDir, Duration timeout, Consumer<String> lines) throws IOException {
        Path newRoot = Files.createDirectories(workDir.resolve("root"));
        Path output = Files.createTempFile(workDir, "run-", ".log");
        boolean asRoot = uid() == 0;
        List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--pid", "--fork", "--kill-child", "--ipc",
                "--uts", "--propagation", "private"));
        if (!hostNetwork) {
            command.add("--net");
        }
        if (!asRoot) {
            // an unprivileged builder gets the namespaces through a user namespace of its own
            command.addAll(List.of("--user", "--map-root-user"));
        }
        command.addAll(List.of("/bin/sh", "-c", SCRIPT, "slipway-run", newRoot.toString(), rootfs.toString(),
                context.toString(), hostNetwork ? "host" : "none", asRoot ? String.valueOf(SANDBOX_UID) : "-",
                String.valueOf(MAX_PROCESSES), String.valueOf(MAX_DATA_BYTES), String.valueOf(MAX_FILE_BYTES),
                String.valueOf(TMP_BYTES), "--"));
        command.addAll(environment(variables));
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", PATH);
        Process process = pb.start();
        process.getOutputStream().close();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean timedOut = false;
        try (InputStream follow = Files.newInputStream(output)) {
            LineSplitter splitter = new LineSplitter(lines);
            while (true) {
                boolean exited = waitFor(process, 50);
                splitter.feed(follow);
                if (exited) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    break;
                }
            }
            killAll(process);
            splitter.feed(follow);
            splitter.flush();
        } finally {
            killAll(process);
            Files.deleteIfExists(output);
        }
        return new Outcome(timedOut, timedOut ? -1 : process.exitValue());
    }

    /**
     * The command's whole environment: the sandbox's own, then the Kubefile's variables except PATH and the dynamic
     * loader's (LD_*), which would let a RUN run other programs than those it names.
     */
    static List<String> environment(Map<String, String> variables) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("PATH", PATH);
        env.put("HOME", "/tmp");
        env.put("TMPDIR", "/tmp");
        env.put("LANG", "C.UTF-8");
        env.put("SLIPWAY_ROOTFS", "/rootfs");
        env.put("SLIPWAY_CONTEXT", "/context");
        variables.forEach((k, v) -> {
            if (!k.equals("PATH") && !k.startsWith("LD_") && !env.containsKey(k)) {
                env.put(k, v);
            }
        });
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /**
     * Gives the rootfs to the sandbox user, who must write it, when the builder is root; call it before the snapshot
     * RUN's changes are measured against. Layers record no owner, so this changes no layer.
     */
    static void prepareRootfs(Path rootfs) throws IOException {
        if (uid() != 0) {
            return;
        }
        try (var walk = Files.walk(rootfs)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!Integer.valueOf(SANDBOX_UID).equals(Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                    Files.setAttribute(p, "unix:uid", SANDBOX_UID, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:gid", SANDBOX_UID, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    private static String script() {
        try (InputStream in = RunCommand.class.getResourceAsStream("run-sandbox.sh")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("run-sandbox.sh is missing from the classpath", e);
        }
    }

    private static boolean waitFor(Process process, long millis) {
        try {
            return process.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while RUN was executing"));
        }
    }

    /**
     * Kills the sandbox: unshare and what is alive below it. The PID namespace does the rest: once its first process
     * is gone (unshare's --kill-child sends it SIGKILL when unshare dies), the kernel kills every process left in it.
     */
    private static void killAll(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
