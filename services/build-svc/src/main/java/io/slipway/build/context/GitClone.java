package io.slipway.build.context;

import io.slipway.outbound.OutboundPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Clones a git context at its revision, without its history. git runs in an environment of its own, not build-svc's:
 * no service variable (database password, key store, SSH agent) reaches it or a helper it starts; a private HOME and no
 * system or global git configuration; https and ssh only, also for anything the repository refers to; no redirect
 * (a redirect to another host would be asked for the credentials); ssh in batch mode, with strict host keys.
 * Credentials come from build-svc's configuration for the URL's host, through an askpass helper that reads them from
 * git's environment, so they are never on a command line. The timeout covers clone and checkout together, and it is
 * kept even when the remote stops answering mid-transfer: git's output goes to a file, not a pipe read to its end.
 */
public final class GitClone {
    /** Credentials for one git host: username and password or token (https), or a private key and known hosts (ssh). */
    public record Credentials(Optional<String> username, Optional<String> password, Optional<String> sshKey, Optional<String> knownHosts) {
        @Override
        public String toString() {
            return "Credentials[username=" + username.orElse("") + ", secrets masked]";
        }
    }

    private static final String ASKPASS = """
            #!/bin/sh
            case "$1" in
              Username*) printf '%s\\n' "$SLIPWAY_GIT_USERNAME" ;;
              *) printf '%s\\n' "$SLIPWAY_GIT_PASSWORD" ;;
            esac
            """;

    private final Map<String, Credentials> credentials;
    private final Optional<Path> caFile;
    private final Duration timeout;
    private final String git;
    private final OutboundPolicy outbound;

    /**
     * @param credentials by host name, as in the URL
     * @param caFile      CA certificates that https git servers may present besides the system's (a private CA)
     * @param git         the git executable
     * @param outbound    where a remote may be: its host must resolve to addresses this policy allows
     */
    public GitClone(Map<String, Credentials> credentials, Optional<Path> caFile, Duration timeout, String git, OutboundPolicy outbound) {
        this.credentials = Map.copyOf(credentials);
        this.caFile = caFile;
        this.timeout = timeout;
        this.git = git;
        this.outbound = outbound;
    }

    /** Clones {@code source} into {@code workDir} at its revision and removes {@code .git}. */
    void cloneInto(ContextSource.Git source, Path workDir, Consumer<String> log) throws IOException, InterruptedException {
        List<java.net.InetAddress> addresses;
        try {
            addresses = outbound.checkHost(source.host(), "git remote " + source);
        } catch (OutboundPolicy.Refused e) {
            throw new ContextException(e.getMessage());
        }
        log.accept("cloning " + source);
        long deadline = System.nanoTime() + timeout.toNanos();
        Path home = Files.createTempDirectory("slipway-git-");
        try {
            Map<String, String> env = environment(source, home, addresses);
            run(List.of("clone", "--quiet", "--no-checkout", "--", source.url(), workDir.toString()), null, env, source, deadline);
            run(List.of("-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", source.revision()), workDir, env, source, deadline);
            String head = run(List.of("rev-parse", "HEAD"), workDir, env, source, deadline).trim();
            log.accept("checked out " + source.revision() + " at " + head);
            BuildContexts.deleteRecursively(workDir.resolve(".git"));
        } finally {
            BuildContexts.deleteRecursively(home);
        }
    }

    /**
     * git's whole environment: nothing of build-svc's but PATH. git connects to the {@code addresses} the outbound policy
     * admitted for the remote's host (curl's resolve list for https, ssh's HostName with the host name kept for its
     * known_hosts), so a name that answers differently a moment later is not asked again.
     */
    private Map<String, String> environment(ContextSource.Git source, Path home, List<java.net.InetAddress> addresses) throws IOException {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PATH", Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", home.toString());
        env.put("LANG", "C");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        // https and ssh only, for submodules, alternates and redirects too; the credentials go to the URL's host only
        env.put("GIT_CONFIG_COUNT", "5");
        env.put("GIT_CONFIG_KEY_0", "protocol.allow");
        env.put("GIT_CONFIG_VALUE_0", "never");
        env.put("GIT_CONFIG_KEY_1", "protocol.https.allow");
        env.put("GIT_CONFIG_VALUE_1", "always");
        env.put("GIT_CONFIG_KEY_2", "protocol.ssh.allow");
        env.put("GIT_CONFIG_VALUE_2", "always");
        env.put("GIT_CONFIG_KEY_3", "http.followRedirects");
        env.put("GIT_CONFIG_VALUE_3", "false");
        java.net.URI remote = java.net.URI.create(source.url());
        String host = source.host().startsWith("[") ? source.host().substring(1, source.host().length() - 1) : source.host();
        env.put("GIT_CONFIG_KEY_4", "http.curloptResolve");
        env.put("GIT_CONFIG_VALUE_4", host + ":" + (remote.getPort() < 0 ? 443 : remote.getPort()) + ":"
                + String.join(",", addresses.stream().map(a -> a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]"
                : a.getHostAddress()).toList()));
        caFile.ifPresent(ca -> env.put("GIT_SSL_CAINFO", ca.toAbsolutePath().toString()));
        Credentials c = credentials.get(source.host());
        List<String> ssh = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes", "-o", "IdentityAgent=none", "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + home.resolve("known_hosts"),
                "-o", "HostName=" + addresses.get(0).getHostAddress(), "-o", "HostKeyAlias=" + host));
        if (c != null) {
            c.username().ifPresent(u -> env.put("SLIPWAY_GIT_USERNAME", u));
            c.password().ifPresent(p -> env.put("SLIPWAY_GIT_PASSWORD", p));
            if (c.password().isPresent()) {
                env.put("GIT_ASKPASS", privateFile(home.resolve("askpass"), ASKPASS, true).toString());
            }
            if (c.knownHosts().isPresent()) {
                privateFile(home.resolve("known_hosts"), c.knownHosts().get() + "\n", false);
            }
            if (c.sshKey().isPresent()) {
                ssh.addAll(List.of("-i", privateFile(home.resolve("id"), c.sshKey().get().strip() + "\n", false).toString()));
            }
        }
        env.put("GIT_SSH_COMMAND", String.join(" ", ssh));
        return env;
    }

    private static Path privateFile(Path file, String content, boolean executable) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(executable ? "rwx------" : "rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private String run(List<String> args, Path dir, Map<String, String> env, ContextSource.Git source, long deadline)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(git);
        command.addAll(args);
        String step = args.get(args.get(0).equals("-c") ? 2 : 0);
        Path output = Files.createTempFile("slipway-git-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process process = pb.start();
            long left = deadline - System.nanoTime();
            if (!process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                // git's helpers (git-remote-https, ssh) are its children: none may outlive the step
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new ContextException("git " + step + " of " + source + " took longer than " + timeout.toSeconds()
                        + " s (slipway.build.git-timeout)");
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                String hint = !credentials.containsKey(source.host()) && (out.contains("could not read Username") || out.contains("Authentication failed")
                        || out.contains("Permission denied")) ? " (no credentials are configured for " + source.host()
                        + ": slipway.build.git-credentials.\"" + source.host() + "\".*)" : "";
                throw new ContextException("git " + step + " of " + source + " failed: " + out.strip() + hint);
            }
            return out;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
