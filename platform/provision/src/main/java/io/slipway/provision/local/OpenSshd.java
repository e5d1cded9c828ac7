package io.slipway.provision.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenSSH server of a namespace host: its configuration, its host key, and its start inside the host's network
 * namespace and a fresh mount namespace with the host's private filesystem laid over the machine's. Started as
 * {@code ip netns exec <ns> unshare --mount ... sh -c '<mounts>; exec sshd -D'}: every step execs, so the process
 * started is sshd itself, and {@code nsenter --target <its pid> --net --mount} sees the host's network and files.
 */
public final class OpenSshd {
    private OpenSshd() {
    }

    /** What differs between hosts' sshd configurations. */
    public record Config(String address, Path hostKey, Path pidFile, Path authorizedKeys, boolean passwords) {
    }

    /** Writes {@code file}: sshd on port 22 of the host's address only, keys from {@code authorizedKeys}. */
    public static void writeConfig(Path file, Config c) throws IOException {
        Files.writeString(file, String.join("\n",
                "Port 22",
                "ListenAddress " + c.address(),
                "HostKey " + c.hostKey(),
                "PidFile " + c.pidFile(),
                "AuthorizedKeysFile " + c.authorizedKeys(),
                "PasswordAuthentication " + (c.passwords() ? "yes" : "no"),
                "KbdInteractiveAuthentication no",
                "PermitRootLogin " + (c.passwords() ? "yes" : "prohibit-password"),
                "StrictModes no",
                "UsePAM no",
                "PrintMotd no",
                "MaxSessions 32",
                "MaxStartups 200",
                "LogLevel ERROR",
                "Subsystem sftp /usr/lib/openssh/sftp-server",
                ""), StandardCharsets.UTF_8);
    }

    /**
     * Makes an ECDSA P-256 key pair at {@code key} ({@code key.pub} beside it), atomically: a reader sees no key or a
     * whole one. ECDSA because every SSH client Slipway uses (MINA SSHD without EdDSA support, OpenSSH) speaks it.
     */
    public static void generateKey(Path key, String comment) throws IOException {
        Path tmp = key.resolveSibling(key.getFileName() + ".new-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(Path.of(tmp + ".pub"));
        HostTools.run(List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", comment, "-f", tmp.toString()), Duration.ofSeconds(30));
        Files.move(Path.of(tmp + ".pub"), Path.of(key + ".pub"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Starts sshd for a host: in namespace {@code netns}, in a new mount namespace with {@code fs} laid over the
     * machine's paths, its output appended to {@code log}. With {@code detached} it gets a session of its own, so it
     * outlives the JVM and the JVM's terminal (a node outlives the service that made it). Does not wait for it to listen.
     */
    public static Process start(String netns, PrivateFilesystem fs, Path config, Path log, boolean detached) {
        Path sshdRun = Path.of("/run/sshd");
        try {
            Files.createDirectories(sshdRun);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + sshdRun + " (sshd's privilege separation directory): " + e.getMessage(), e);
        }
        String script = fs.mountScript() + "exec /usr/sbin/sshd -D -e -f '" + config + "'\n";
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        if (detached) {
            // not a process group leader (the JVM's child), so setsid execs instead of forking: the pid stays sshd's
            cmd.add("setsid");
        }
        cmd.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script));
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start sshd in " + netns + ": " + e.getMessage(), e);
        }
    }

    /** The last kilobyte of an sshd log, for an error message. */
    public static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() > 1000 ? text.substring(text.length() - 1000) : text;
        } catch (IOException e) {
            return "(no sshd log)";
        }
    }
}
