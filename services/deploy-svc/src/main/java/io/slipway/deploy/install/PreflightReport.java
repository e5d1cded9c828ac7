package io.slipway.deploy.install;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a host's preflight script reported ({@code key=value} lines) and the problems that makes for the image it is to
 * get: another OS or architecture, missing tools, too little disk, busy ports. Each problem says what to do.
 *
 * @param facts     os, arch, free (KB), fs (the filesystem checked) and installed (present when cluster files are)
 * @param missing   the tools the host lacks
 * @param listening the TCP ports something listens on
 */
record PreflightReport(Map<String, String> facts, Set<String> missing, Set<Integer> listening) {

    static PreflightReport read(String stdout) {
        Map<String, String> facts = new HashMap<>();
        Set<String> missing = new TreeSet<>();
        Set<Integer> listening = new HashSet<>();
        for (String line : stdout.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1).trim();
            switch (key) {
                case "missing" -> missing.add(value);
                case "listen" -> listening.add(Integer.parseInt(value, 16));
                default -> facts.put(key, value);
            }
        }
        return new PreflightReport(facts, missing, listening);
    }

    /** Every check {@code image} fails on this host, in the order a user fixes them; empty when the host is fit. */
    List<String> problems(InstallImage image) {
        List<String> problems = new ArrayList<>();
        checkPlatform(image, problems);
        checkTools(problems);
        checkDisk(image, problems);
        checkPorts(image, problems);
        return problems;
    }

    /** One line for the step's record: OS, architecture, free space, and whether the cluster's files were there. */
    String summary() {
        return facts.get("os") + "/" + arch() + ", " + freeKb() / 1024 + " MB free"
                + (installed() ? ", cluster files present" : "");
    }

    private void checkPlatform(InstallImage image, List<String> problems) {
        if (!"Linux".equals(facts.get("os"))) {
            problems.add("the OS is " + facts.get("os") + ", not Linux");
        }
        String arch = arch();
        if (image.architecture() != null && !image.architecture().equals(arch)) {
            problems.add("the host is " + arch + " but the image " + image.reference() + " is "
                    + image.architecture() + ": build the image for " + arch + " (--platform linux/" + arch + ")");
        }
    }

    private void checkTools(List<String> problems) {
        if (!missing.isEmpty()) {
            problems.add("required tools missing: " + String.join(", ", missing) + " (install them, e.g. apt-get install "
                    + String.join(" ", missing.stream().map(PreflightReport::debianPackage).toList()) + ")");
        }
    }

    /** The image needs about twice its size (layers, then the rootfs unpacked from them) and 64 MB besides. */
    private void checkDisk(InstallImage image, List<String> problems) {
        long freeKb = freeKb();
        long needKb = image.size() * 2 / 1024 + 64 * 1024;
        if (freeKb >= 0 && freeKb < needKb) {
            problems.add(String.format("only %d MB free under %s, the image needs about %d MB: free space or set dataRoot",
                    freeKb / 1024, facts.get("fs"), needKb / 1024));
        }
    }

    /** Only a fresh host is checked: on one that has the cluster, its own services hold the ports. */
    private void checkPorts(InstallImage image, List<String> problems) {
        if (installed()) {
            return;
        }
        List<Integer> busy = image.preflightPorts().stream().filter(listening::contains).toList();
        if (!busy.isEmpty()) {
            problems.add("port(s) " + busy + " already in use: stop what listens there (ss -ltnp) or use another host");
        }
    }

    private String arch() {
        return HostSteps.normalizeArch(facts.get("arch"));
    }

    private long freeKb() {
        return HostSteps.parseLong(facts.get("free"));
    }

    private boolean installed() {
        return facts.containsKey("installed");
    }

    private static String debianPackage(String tool) {
        return switch (tool) {
            case "sha256sum", "cat", "mkdir", "rm", "mv" -> "coreutils";
            case "awk" -> "mawk";
            case "setsid" -> "util-linux";
            case "sh" -> "dash";
            default -> tool;
        };
    }
}
