package io.slipway.cloudimage.kubefile;

import io.slipway.oci.Platform;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The variables in scope while one platform of a Kubefile is built: the platform built-ins ({@code ARCH} as sealer
 * names it, and Docker's {@code TARGETOS}, {@code TARGETARCH}, ...), ARGs declared so far (a build arg overrides the
 * default), and ENV values (the base image's, then the Kubefile's), which win over ARGs as in Docker.
 */
public final class Variables {

    private final Map<String, String> buildArgs;
    private final Map<String, String> builtins = new LinkedHashMap<>();
    private final Map<String, String> args = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Set<String> consumed = new HashSet<>();

    public Variables(Map<String, String> buildArgs, Platform target, Platform buildHost) {
        this.buildArgs = Map.copyOf(buildArgs);
        builtins.put("ARCH", target.architecture());
        builtins.put("TARGETPLATFORM", target.toString());
        builtins.put("TARGETOS", target.os());
        builtins.put("TARGETARCH", target.architecture());
        builtins.put("TARGETVARIANT", target.variant() == null ? "" : target.variant());
        builtins.put("BUILDPLATFORM", buildHost.toString());
        builtins.put("BUILDOS", buildHost.os());
        builtins.put("BUILDARCH", buildHost.architecture());
    }

    /** Value of a variable, or null when it is not set. */
    public String lookup(String name) {
        String value = env.get(name);
        if (value == null) {
            value = args.get(name);
        }
        return value != null ? value : builtins.get(name);
    }

    /** Applies an ARG instruction: the build arg of that name if given, else its default (substituted), else unset. */
    public void declare(Instruction arg) {
        String source = arg.args().get(0).source();
        int eq = source.indexOf('=');
        String name = eq < 0 ? source : source.substring(0, eq);
        if (buildArgs.containsKey(name)) {
            consumed.add(name);
            args.put(name, buildArgs.get(name));
        } else if (eq >= 0) {
            String expanded = arg.expandArgs(this::lookup).get(0);
            args.put(name, expanded.substring(expanded.indexOf('=') + 1));
        } else {
            args.remove(name);
        }
    }

    public void setEnv(String name, String value) {
        env.put(name, value);
    }

    /** ARG and ENV values (and the platform built-ins) as RUN sees them in its environment. */
    public Map<String, String> environment() {
        Map<String, String> all = new TreeMap<>(builtins);
        args.forEach((k, v) -> {
            if (v != null) {
                all.put(k, v);
            }
        });
        all.putAll(env);
        return all;
    }

    /** Build args no ARG declared: they had no effect (Docker warns about these too). */
    public Set<String> unusedBuildArgs() {
        Set<String> unused = new TreeSet<>(buildArgs.keySet());
        unused.removeAll(consumed);
        return unused;
    }
}
