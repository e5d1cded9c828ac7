package io.slipway.provision.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The network plumbing of namespace hosts (needs root and iproute2): a bridge in the root namespace holding a /24's
 * gateway, and per host a network namespace joined to it by a veth pair, its end named {@code eth0} inside with the
 * host's address. Hosts reach each other and are reached from the root namespace.
 */
public final class Netns {
    private static final Duration CALL = Duration.ofSeconds(10);

    private Netns() {
    }

    /** True when this machine can make namespace hosts: root, iproute2, sshd, nsenter, unshare. */
    public static boolean canRun() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        return HostTools.executable("/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/nsenter", "/usr/bin/unshare")
                && (HostTools.executable("/usr/sbin/ip") || HostTools.executable("/usr/bin/ip") || HostTools.executable("/sbin/ip"));
    }

    /** Whether 10.231.x.0/24 is free of this machine's addresses and routes (besides the claims of other makers). */
    public static boolean subnetUnused(int x, String addressesAndRoutes) {
        return !addressesAndRoutes.contains("10.231." + x + ".");
    }

    /** The machine's addresses and routes, read once to test many subnets with {@link #subnetUnused}. */
    public static String addressesAndRoutes() {
        return HostTools.run(List.of("ip", "-o", "addr"), CALL) + HostTools.run(List.of("ip", "route"), CALL);
    }

    public static String gateway(int subnet) {
        return "10.231." + subnet + ".1";
    }

    public static String address(int subnet, int n) {
        return "10.231." + subnet + "." + (10 + n);
    }

    public static boolean linkExists(String link) {
        try {
            HostTools.run(List.of("ip", "link", "show", link), CALL);
            return true;
        } catch (RuntimeException absent) {
            return false;
        }
    }

    /** Makes the bridge with the subnet's gateway address, up. */
    public static void createBridge(String bridge, int subnet) {
        HostTools.run(List.of("ip", "link", "add", bridge, "type", "bridge"), CALL);
        HostTools.run(List.of("ip", "addr", "add", gateway(subnet) + "/24", "dev", bridge), CALL);
        HostTools.run(List.of("ip", "link", "set", bridge, "up"), CALL);
    }

    /** Makes namespace {@code name} with {@code address} on {@code eth0}, joined to the bridge by {@code veth}/{@code peer}. */
    public static void createHost(String name, String veth, String peer, String bridge, String address, String gateway) {
        HostTools.run(List.of("ip", "netns", "add", name), CALL);
        HostTools.run(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", peer), CALL);
        HostTools.run(List.of("ip", "link", "set", peer, "netns", name), CALL);
        HostTools.run(List.of("ip", "link", "set", veth, "master", bridge), CALL);
        HostTools.run(List.of("ip", "link", "set", veth, "up"), CALL);
        exec(name, "ip", "link", "set", peer, "name", "eth0");
        exec(name, "ip", "addr", "add", address + "/24", "dev", "eth0");
        exec(name, "ip", "link", "set", "eth0", "up");
        exec(name, "ip", "link", "set", "lo", "up");
        exec(name, "ip", "route", "add", "default", "via", gateway);
    }

    /** Runs a command inside the namespace and returns its stdout. */
    public static String exec(String name, String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return HostTools.run(full, CALL);
    }

    public static boolean exists(String name) {
        return java.nio.file.Files.exists(java.nio.file.Path.of("/run/netns", name));
    }

    /** The processes in the namespace (empty once it is gone). */
    public static List<Long> pids(String ns) {
        try {
            String pids = HostTools.run(List.of("ip", "netns", "pids", ns), CALL).strip();
            return pids.isEmpty() ? List.of() : Stream.of(pids.split("\\s+")).map(Long::parseLong).toList();
        } catch (RuntimeException gone) {
            return List.of(); // the namespace is gone already
        }
    }

    /**
     * Kills every process in a host's network namespace (sshd, sessions, daemons that hooks started) until none is left:
     * a process may fork while the previous round is being killed. Their mount namespace, with the host's bind mounts,
     * goes away with the last of them.
     */
    public static void killEverythingIn(String ns) {
        HostTools.killUntilNone(ns, () -> pids(ns));
    }

    /** Kills everything in the namespace and deletes it (its veth pair goes with it). */
    public static void delete(String ns) {
        killEverythingIn(ns);
        HostTools.quietly(List.of("ip", "netns", "del", ns));
    }

    /** Deletes the root namespace's links whose names match {@code names} (a bridge, veths a half-made host left). */
    public static void deleteLinks(Pattern names) {
        Pattern line = Pattern.compile("^\\d+: (" + names.pattern() + ")[@:]");
        String links;
        try {
            links = HostTools.run(List.of("ip", "-o", "link", "show"), CALL);
        } catch (RuntimeException e) {
            return;
        }
        for (String l : links.split("\n")) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                HostTools.quietly(List.of("ip", "link", "del", m.group(1)));
            }
        }
    }
}
