package io.slipway.deploy.install;

import io.slipway.deploy.clusterfile.TemplateException;
import io.slipway.deploy.clusterfile.TemplateRenderer;
import io.slipway.deploy.install.InstallImage.HookFile;
import io.slipway.deploy.install.InstallImage.ImageLayer;
import io.slipway.deploy.install.StepJournal.StepResult;
import io.slipway.ssh.SshEngine;
import io.slipway.ssh.SshException;
import io.slipway.ssh.SshResult;
import io.slipway.ssh.SshTarget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Each install step as commands on one host over SSH. Steps are idempotent (a rerun after a crash converges) and a
 * failure names the host, the step, and what to fix.
 */
public final class HostSteps {
    private static final Duration QUICK = Duration.ofSeconds(60);
    private static final Duration UNPACK = Duration.ofMinutes(10);

    private final SshEngine ssh;

    public HostSteps(SshEngine ssh) {
        this.ssh = ssh;
    }

    /** OS, architecture, free disk, tools and (on a fresh host) ports; every failed check says what and how to fix. */
    public StepResult preflight(InstallContext c, InstallTarget t) throws StepFailure {
        SshResult r = exec(t, HostStep.PREFLIGHT, preflightScript(c, t), QUICK);
        PreflightReport report = PreflightReport.read(r.stdout());
        List<String> problems = report.problems(c.imageFor(t));
        if (!problems.isEmpty()) {
            throw new StepFailure(t.ip(), HostStep.PREFLIGHT, String.join("; ", problems), false);
        }
        return StepResult.of(report.summary());
    }

    /** Reports each fact as a {@code key=value} line ({@link PreflightReport} reads them), all in one round trip. */
    private static String preflightScript(InstallContext c, InstallTarget t) {
        StringBuilder script = new StringBuilder("D=").append(RemoteShell.quote(c.dataRoot())).append('\n')
                .append("R=").append(RemoteShell.quote(c.clusterDir())).append('\n').append("""
                echo "os=$(uname -s)"; echo "arch=$(uname -m)"
                p="$D"; while [ ! -d "$p" ]; do p=$(dirname "$p"); done
                echo "free=$(df -Pk "$p" | awk 'NR==2{print $4}')"; echo "fs=$p"
                for t in sh tar sha256sum cat mkdir rm mv awk setsid; do command -v $t >/dev/null 2>&1 || echo "missing=$t"; done
                [ -d "$R/rootfs" ] && echo installed=1
                awk '$4=="0A"{split($2,a,":"); print "listen=" a[2]}' /proc/net/tcp /proc/net/tcp6 2>/dev/null
                """);
        if (isMaster0(c, t)) {
            for (String tool : master0Tools(c, t)) {
                script.append("command -v ").append(tool).append(" >/dev/null 2>&1 || echo missing=").append(tool).append('\n');
            }
        }
        return script.toString();
    }

    /** What master0 runs besides every host's tools: the launch's (kubectl, helm) and docker-registry for an image's registry. */
    private static Set<String> master0Tools(InstallContext c, InstallTarget t) {
        Set<String> tools = new TreeSet<>(c.launch().tools());
        if (c.imageFor(t).hasRegistry()) {
            tools.add("docker-registry");
        }
        return tools;
    }

    /**
     * Sends the layers the host does not hold yet (by digest), each verified on arrival; a cut transfer resumes. A layer
     * file of the wrong size (a host that is not clean: a disk that filled up, a file someone truncated) is sent again.
     */
    public StepResult distribute(InstallContext c, InstallTarget t) throws StepFailure {
        SshResult listing = exec(t, HostStep.DISTRIBUTE, "L=" + RemoteShell.quote(c.layersDir()) + "; mkdir -p \"$L\" && "
                + "for f in \"$L\"/*; do [ -f \"$f\" ] && echo \"${f##*/} $(wc -c < \"$f\")\"; done; true", QUICK);
        Map<String, Long> present = new HashMap<>();
        for (String line : listing.stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                present.put(f[0], parseLong(f[1]));
            }
        }
        long sent = 0;
        int sentLayers = 0;
        int kept = 0;
        int replaced = 0;
        for (ImageLayer layer : c.imageFor(t).layers()) {
            Long size = present.get(layer.digest().hex());
            if (size != null && size == layer.size()) {
                kept++;
                continue;
            }
            if (size != null) {
                replaced++;
            }
            try {
                var upload = ssh.upload(t.ssh(), layer.blob(), c.layersDir() + "/" + layer.digest().hex(), layer.digest().hex(), null);
                sent += upload.bytesSent();
                sentLayers++;
            } catch (SshException e) {
                throw failure(t, HostStep.DISTRIBUTE, e);
            }
        }
        String detail = sentLayers + " layer(s) sent (" + mb(sent) + "), " + kept + " already there"
                + (replaced > 0 ? ", " + replaced + " of the wrong size replaced" : "");
        return new StepResult(detail, sent, sentLayers == 0, 0);
    }

    /** Unpacks every layer in order into rootfs.next (applying whiteouts), then swaps it in for the old rootfs. */
    public StepResult unpack(InstallContext c, InstallTarget t) throws StepFailure {
        StringBuilder s = new StringBuilder("set -e\n")
                .append("R=").append(RemoteShell.quote(c.clusterDir())).append("; L=").append(RemoteShell.quote(c.layersDir()))
                .append("; N=\"$R/rootfs.next\"\n")
                .append("rm -rf \"$N\"; mkdir -p \"$N\"\n");
        for (ImageLayer layer : c.imageFor(t).layers()) {
            List<String> whiteouts = new ArrayList<>();
            for (String path : layer.paths()) {
                int slash = path.lastIndexOf('/');
                String base = path.substring(slash + 1);
                String dir = slash < 0 ? "" : path.substring(0, slash + 1);
                if (base.equals(".wh..wh..opq")) {
                    s.append("rm -rf \"$N\"/").append(RemoteShell.quote(dir)).append("; mkdir -p \"$N\"/").append(RemoteShell.quote(dir)).append('\n');
                } else if (base.startsWith(".wh.")) {
                    whiteouts.add(dir + base.substring(4));
                }
            }
            s.append("tar -xf \"$L/").append(layer.digest().hex()).append("\" -C \"$N\"\n");
            for (String gone : whiteouts) {
                s.append("rm -rf \"$N\"/").append(RemoteShell.quote(gone)).append('\n');
            }
        }
        s.append("find \"$N\" -name '.wh.*' -prune -exec rm -rf {} + 2>/dev/null || true\n")
                .append("if [ -d \"$R/rootfs\" ]; then rm -rf \"$R/rootfs.prev\"; mv \"$R/rootfs\" \"$R/rootfs.prev\"; fi\n")
                .append("mv \"$N\" \"$R/rootfs\"; rm -rf \"$R/rootfs.prev\"\n")
                .append("echo ").append(RemoteShell.quote(c.imageFor(t).digest().toString())).append(" > \"$R/image\"\n");
        exec(t, HostStep.UNPACK, s.toString(), UNPACK).stdout();
        return StepResult.of(c.imageFor(t).layers().size() + " layer(s) unpacked into " + c.rootfs());
    }

    /** Renders the image's *.tmpl files with this host's variables and writes them beside their templates. */
    public StepResult render(InstallContext c, InstallTarget t, boolean upgrade) throws StepFailure {
        if (c.imageFor(t).templates().isEmpty()) {
            return new StepResult("no templates", 0, true, 0);
        }
        ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> template : c.imageFor(t).templates().entrySet()) {
                // an application's files see its APPENV too, beneath the Clusterfile's env
                Map<String, Object> values = new LinkedHashMap<>(c.variables(t, upgrade, appEnvOf(c.imageFor(t), template.getKey())));
                String rendered;
                try {
                    rendered = TemplateRenderer.render(template.getValue(), values, template.getKey());
                } catch (TemplateException e) {
                    throw new StepFailure(t.ip(), HostStep.RENDER, e.getMessage(), false);
                }
                byte[] bytes = rendered.getBytes(StandardCharsets.UTF_8);
                String path = template.getKey().substring(0, template.getKey().length() - ".tmpl".length());
                TarArchiveEntry entry = new TarArchiveEntry(path);
                entry.setSize(bytes.length);
                entry.setMode(0640);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            ssh.exec(t.ssh(), "tar -xf - -C " + RemoteShell.quote(c.rootfs()), new ByteArrayInputStream(tarBytes.toByteArray()), QUICK)
                    .requireOk(HostStep.RENDER.label());
        } catch (SshException e) {
            throw failure(t, HostStep.RENDER, e);
        }
        return StepResult.of(c.imageFor(t).templates().size() + " template(s) rendered");
    }

    /** Runs {@code hooks} in order with the host's variables; the first failure stops this host's hooks. */
    public StepResult hooks(InstallContext c, InstallTarget t, List<HookFile> hooks, boolean upgrade) throws StepFailure {
        if (hooks.isEmpty()) {
            return new StepResult("no hooks to run", 0, true, 0);
        }
        String env = RemoteShell.exports(c.variables(t, upgrade));
        List<String> ran = new ArrayList<>();
        for (HookFile hook : hooks) {
            String command = "cd " + RemoteShell.quote(c.rootfs()) + " && " + env + "sh " + RemoteShell.quote(hook.path());
            SshResult r = exec(t, HostStep.HOOKS, command, c.hookTimeout(), "hook " + hook.path());
            ran.add(hook.path());
            if (!r.ok()) {
                throw new StepFailure(t.ip(), HostStep.HOOKS, "hook " + hook.path() + " exited " + r.exitCode() + ": "
                        + RemoteShell.tail(r.stderr().isBlank() ? r.stdout() : r.stderr()), false);
            }
        }
        return StepResult.of("ran " + String.join(", ", ran));
    }

    /** Serves the image's cached container images from master0 (docker distribution reading the registry/ tree). */
    public StepResult registry(InstallContext c, InstallTarget t) throws StepFailure {
        String script = "set -e\nR=" + RemoteShell.quote(c.clusterDir()) + "\n"
                + "cat > \"$R/registry.yml\" <<EOF\nversion: 0.1\nstorage:\n  filesystem:\n    rootdirectory: $R/rootfs/registry\n"
                + "  delete:\n    enabled: false\nhttp:\n  addr: :" + c.registryPort() + "\nEOF\n"
                + "if [ -f \"$R/registry.pid\" ]; then kill \"$(cat \"$R/registry.pid\")\" 2>/dev/null || true; fi\n"
                + "setsid nohup docker-registry serve \"$R/registry.yml\" > \"$R/registry.log\" 2>&1 < /dev/null &\n"
                + "echo $! > \"$R/registry.pid\"\n"
                + "port=$(printf '%04X' " + c.registryPort() + ")\n"
                + "i=0; until awk -v p=\"$port\" '$4==\"0A\"{split($2,a,\":\"); if (a[2]==p) f=1} END{exit !f}' /proc/net/tcp /proc/net/tcp6 2>/dev/null; do\n"
                + "  i=$((i+1)); [ $i -lt 100 ] || { echo 'registry did not start:' >&2; tail -5 \"$R/registry.log\" >&2; exit 1; }; sleep 0.1; done\n";
        exec(t, HostStep.REGISTRY, script, QUICK).stdout();
        return StepResult.of("registry serving on " + t.ip() + ":" + c.registryPort());
    }

    /**
     * What master0 launches once every host is done ({@link LaunchPlan}: the Clusterfile's cmd, the image's CMDS, or
     * its LAUNCH applications), in the rootfs, with master0's variables; the first failure stops the rest.
     */
    public StepResult clusterCommands(InstallContext c, InstallTarget master0, boolean upgrade) throws StepFailure {
        List<LaunchPlan.Launch> commands = c.launch().commands();
        if (commands.isEmpty()) {
            return new StepResult("nothing to launch", 0, true, 0);
        }
        List<String> ran = new ArrayList<>();
        for (LaunchPlan.Launch l : commands) {
            String env = RemoteShell.exports(c.variables(master0, upgrade, l.appEnv()));
            SshResult r = exec(master0, HostStep.CMDS, "cd " + RemoteShell.quote(c.rootfs()) + " && " + env + "sh -c "
                    + RemoteShell.quote(l.command()), c.hookTimeout(), l.what());
            if (!r.ok()) {
                throw new StepFailure(master0.ip(), HostStep.CMDS, (l.what().equals("CMDS") || l.what().equals("cmd") ? "" : l.what() + ": ")
                        + "'" + l.command() + "' exited " + r.exitCode() + ": " + RemoteShell.tail(r.stderr().isBlank() ? r.stdout() : r.stderr()), false);
            }
            if (!ran.contains(l.what())) {
                ran.add(l.what());
            }
        }
        return StepResult.of(commands.size() + " command(s) ran on " + master0.ip() + " (" + String.join(", ", ran) + ")");
    }

    /** The APPENV of the application whose directory holds {@code path}, if any. */
    private static Map<String, String> appEnvOf(InstallImage image, String path) {
        for (var app : image.metadata().applications()) {
            String dir = app.path().endsWith("/") ? app.path() : app.path() + "/";
            if (path.startsWith(dir)) {
                return image.metadata().appEnv().getOrDefault(app.name(), Map.of());
            }
        }
        return Map.of();
    }

    /**
     * Removes the cluster from a host: its own hooks/clean/*.sh from the rootfs the host has (so it works after a
     * failed or half install, with or without an image), the registry, the cluster's files, and layers no other
     * cluster on the host uses.
     */
    public StepResult clean(InstallContext c, InstallTarget t) throws StepFailure {
        String env = RemoteShell.exports(c.variables(t, false));
        String script = "R=" + RemoteShell.quote(c.clusterDir()) + "; D=" + RemoteShell.quote(c.dataRoot()) + "\n"
                + "status=0\n"
                + "if [ -d \"$R/rootfs/hooks/clean\" ]; then for h in \"$R\"/rootfs/hooks/clean/*.sh; do [ -f \"$h\" ] || continue;\n"
                + "  (cd \"$R/rootfs\" && " + env + "sh \"$h\") || { echo \"clean hook $h failed\" >&2; status=1; }; done; fi\n"
                + "if [ -f \"$R/registry.pid\" ]; then kill \"$(cat \"$R/registry.pid\")\" 2>/dev/null || true; fi\n"
                + "[ $status = 0 ] || exit $status\n"
                + "rm -rf \"$R\"\n"
                + "if [ -z \"$(ls -A \"$D/clusters\" 2>/dev/null)\" ]; then rm -rf \"$D/layers\" \"$D/clusters\"; fi\n";
        SshResult r = exec(t, HostStep.CLEAN, script, c.hookTimeout(), "clean");
        if (!r.ok()) {
            throw new StepFailure(t.ip(), HostStep.CLEAN, RemoteShell.tail(r.stderr()), false);
        }
        return StepResult.of("cluster files removed");
    }

    /** The host's architecture as images name it (uname -m: x86_64 is amd64, aarch64 arm64). */
    public String architecture(InstallTarget t) throws StepFailure {
        return normalizeArch(exec(t, HostStep.PREFLIGHT, "uname -m", QUICK).stdout().strip());
    }

    static boolean isMaster0(InstallContext c, InstallTarget t) {
        return !c.masters().isEmpty() && c.masters().get(0).equals(t.ip());
    }

    private SshResult exec(InstallTarget t, HostStep step, String script, Duration timeout) throws StepFailure {
        SshResult r = exec(t, step, script, timeout, step.label());
        if (!r.ok()) {
            throw new StepFailure(t.ip(), step, "exited " + r.exitCode() + ": " + RemoteShell.tail(r.stderr()), false);
        }
        return r;
    }

    private SshResult exec(InstallTarget t, HostStep step, String script, Duration timeout, String what) throws StepFailure {
        try {
            return ssh.exec(t.ssh(), script, timeout);
        } catch (SshException e) {
            throw failure(t, step, e);
        }
    }

    private static StepFailure failure(InstallTarget t, HostStep step, SshException e) {
        return new StepFailure(t.ip(), step, e.getMessage(), e.transientFault() || e.kind() == SshException.Kind.UNREACHABLE
                || e.kind() == SshException.Kind.TIMEOUT);
    }

    static String normalizeArch(String uname) {
        if (uname == null) {
            return "unknown";
        }
        return switch (uname) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "armv7l" -> "arm";
            default -> uname;
        };
    }

    static long parseLong(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
