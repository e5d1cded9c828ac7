package io.slipway.deploy.install;

import io.slipway.cloudimage.metadata.Application;
import io.slipway.cloudimage.metadata.CloudImageMetadata;
import io.slipway.oci.Digest;
import io.slipway.ssh.SshEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What master0 runs once every host is installed, decided as sealer decides it: the Clusterfile's {@code cmd}, else
 * the image's {@code CMDS} (and deprecated {@code CMD}); only when there is no command, the applications of the
 * image's {@code LAUNCH} (or the Clusterfile's {@code appNames}; {@code [""]} launches none), each by its
 * {@code APPCMDS} (run in the application's directory) or its type's default, from the rootfs:
 * kube {@code kubectl apply -f} each file, helm {@code helm install NAME DIR}, shell {@code bash} each script.
 * {@code cmd_args} are appended, quoted, to the one command they can belong to.
 *
 * <p>Where sealer passes no environment to these commands, each gets the host's variables, and an application's
 * commands its {@code APPENV} beneath the Clusterfile's env.
 */
public record LaunchPlan(List<Launch> commands) {

    /** One command: what it is for (CMDS, or an application's name), the shell line, and the application's env. */
    public record Launch(String what, String command, Map<String, String> appEnv) {
        public Launch {
            appEnv = Map.copyOf(appEnv);
        }
    }

    /** The Clusterfile or the image asks for a launch that cannot be done; the message names the field and the fix. */
    public static final class LaunchException extends Exception {
        public LaunchException(String message) {
            super(message);
        }
    }

    public static final LaunchPlan NONE = new LaunchPlan(List.of());

    public LaunchPlan {
        commands = List.copyOf(commands);
    }

    /**
     * @param cmd      the Clusterfile's {@code spec.cmd} (empty: the image's CMDS)
     * @param cmdArgs  the Clusterfile's {@code spec.cmd_args}
     * @param appNames the Clusterfile's {@code spec.appNames}, or null for the image's LAUNCH
     */
    public static LaunchPlan of(String image, CloudImageMetadata metadata, List<String> cmd, List<String> cmdArgs, List<String> appNames)
            throws LaunchException {
        List<String> lines = cmd.isEmpty() ? metadata.cmds() : cmd;
        String source = cmd.isEmpty() ? "CMDS of " + image : "spec.cmd";
        if (!lines.isEmpty()) {
            if (!cmdArgs.isEmpty()) {
                if (lines.size() != 1) {
                    throw new LaunchException("spec.cmd_args: " + source + " has " + lines.size()
                            + " commands and cmd_args go with a single one: put the whole commands in spec.cmd");
                }
                lines = List.of(lines.get(0) + " " + String.join(" ", cmdArgs.stream().map(SshEngine::quote).toList()));
            }
            return new LaunchPlan(lines.stream().map(l -> new Launch(cmd.isEmpty() ? "CMDS" : "cmd", l, Map.of())).toList());
        }
        List<String> names = appNames == null ? metadata.launch() : appNames.stream().filter(n -> !n.isBlank()).toList();
        String namesFrom = appNames == null ? "LAUNCH of " + image : "spec.appNames";
        if (!cmdArgs.isEmpty()) {
            throw new LaunchException("spec.cmd_args: " + image + " has no command to give them to (it launches applications): "
                    + "use spec.cmd or spec.appNames");
        }
        Map<String, Application> apps = new LinkedHashMap<>();
        metadata.applications().forEach(a -> apps.put(a.name(), a));
        List<Launch> launches = new ArrayList<>();
        for (String name : names) {
            Application app = apps.get(name);
            if (app == null) {
                throw new LaunchException(namesFrom + ": " + image + " has no application '" + name + "'"
                        + (apps.isEmpty() ? " (it has none)" : " (it has: " + String.join(", ", apps.keySet()) + ")"));
            }
            Map<String, String> env = metadata.appEnv().getOrDefault(name, Map.of());
            for (String line : commandsOf(image, app, metadata.appCmds().get(name))) {
                launches.add(new Launch(name, line, env));
            }
        }
        return new LaunchPlan(launches);
    }

    private static List<String> commandsOf(String image, Application app, List<String> appCmds) throws LaunchException {
        String dir = app.path().endsWith("/") ? app.path() : app.path() + "/";
        if (appCmds != null && !appCmds.isEmpty()) {
            return List.of("cd " + SshEngine.quote(dir) + " && " + String.join(" ", appCmds));
        }
        return switch (app.type()) {
            case KUBE -> List.of(String.join(" && ", app.files().stream().map(f -> "kubectl apply -f " + SshEngine.quote(dir + f)).toList()));
            case HELM -> List.of("helm install " + SshEngine.quote(app.name()) + " " + SshEngine.quote(dir));
            case SHELL -> List.of(String.join(" && ", app.files().stream().map(f -> "bash " + SshEngine.quote(dir + f)).toList()));
            case UNKNOWN -> throw new LaunchException("application '" + app.name() + "' of " + image + " is neither YAML files, a chart "
                    + "nor shell scripts, so there is no default way to launch it: give it APPCMDS in the Kubefile");
        };
    }

    public boolean isEmpty() {
        return commands.isEmpty();
    }

    /** Tools master0 needs for the default application commands (a failed preflight says to install them). */
    public Set<String> tools() {
        Set<String> tools = new TreeSet<>();
        for (Launch l : commands) {
            for (String tool : List.of("kubectl", "helm", "bash")) {
                if (l.command().startsWith(tool + " ") || l.command().contains("&& " + tool + " ")) {
                    tools.add(tool);
                }
            }
        }
        return tools;
    }

    /** Changes when what runs changes, so a new cmd or appNames reruns the step and an unchanged one does not. */
    public String key() {
        StringBuilder b = new StringBuilder();
        commands.forEach(l -> b.append(l.what()).append('\0').append(l.command()).append('\0').append(new java.util.TreeMap<>(l.appEnv())).append('\n'));
        return Digest.of(b.toString().getBytes(StandardCharsets.UTF_8)).hex().substring(0, 12);
    }
}
