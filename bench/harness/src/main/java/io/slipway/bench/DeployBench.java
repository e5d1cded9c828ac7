package io.slipway.bench;

import io.slipway.cloudimage.build.BuildListener;
import io.slipway.cloudimage.build.BuildSpec;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.deploy.install.ClusterInstaller;
import io.slipway.deploy.install.HostStep;
import io.slipway.deploy.install.HostSteps;
import io.slipway.deploy.install.InstallContext;
import io.slipway.deploy.install.InstallImage;
import io.slipway.deploy.install.InstallTarget;
import io.slipway.deploy.install.StepJournal;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import io.slipway.ssh.HostKeyStore;
import io.slipway.ssh.SshAuth;
import io.slipway.ssh.SshEngine;
import io.slipway.ssh.SshTarget;
import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.hosts.TestHost;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The deploy benchmarks (run {@code bench/deploy-vs-ansible} and {@code bench/deploy-vs-scp}): a CloudImage of about
 * 200 MB (incompressible layers plus a hook) installed by deploy-svc's installer onto real OpenSSH hosts in network
 * namespaces, beside, in the same run and on the same hosts, either Ansible (Debian's package) doing the same copy,
 * unpack and script, or plain parallel {@code scp} of the same layer bytes (the wire limit). Hosts are wiped before
 * every round; rounds alternate which goes first; figures are medians.
 *
 * <p>Last line: {@code ratio=<ansible time / ours>} (goal >= 3) or {@code ratio=<our time / scp's>} (goal <= 1.5).
 * Tuning: {@code bench.mb} (200), {@code bench.layers} (4), {@code bench.hosts} (10), {@code bench.rounds} (3).
 */
public final class DeployBench {
    private static final int MB = Integer.getInteger("bench.mb", 200);
    private static final int LAYERS = Integer.getInteger("bench.layers", 4);
    private static final int HOSTS = Integer.getInteger("bench.hosts", 10);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final String DATA_ROOT = "/var/lib/slipway";

    private static HostFleet fleet;
    private static SshEngine ssh;
    private static Path tmp;

    private DeployBench() {
    }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "scp";
        if (!mode.equals("ansible") && !mode.equals("scp")) {
            throw new IllegalArgumentException("usage: DeployBench ansible|scp");
        }
        BenchMain.run(() -> run(mode), DeployBench::stopAll, () -> false);
    }

    private static void run(String mode) throws Exception {
        // scp and Ansible are measured against real OpenSSH servers, so the hosts are namespace hosts, not embedded ones
        if (!HostFleet.available(HostFleet.Kind.NAMESPACES)) {
            throw new IllegalStateException("needs root, iproute2 and openssh-server (the hosts are sshd in network namespaces)");
        }
        if (mode.equals("ansible") && !Files.isExecutable(Path.of("/usr/bin/ansible-playbook"))) {
            throw new IllegalStateException("/usr/bin/ansible-playbook is missing: install the Debian package ansible");
        }
        tmp = Files.createTempDirectory("slipway-deploy-bench-");
        long t0 = System.nanoTime();
        fleet = HostFleet.builder().kind(HostFleet.Kind.NAMESPACES).hosts(HOSTS).build();
        BenchMain.info(String.format(Locale.ROOT, "%d hosts up in %.1f s", HOSTS, BenchMain.secondsSince(t0)));
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        t0 = System.nanoTime();
        InstallImage image = buildImage(store);
        BenchMain.info(String.format(Locale.ROOT, "image of %d layers, %.1f MB, built in %.1f s", image.layers().size(),
                image.size() / 1e6, BenchMain.secondsSince(t0)));
        ssh = SshEngine.builder().hostKeys(HostKeyStore.trustingFirstUse(tmp.resolve("known_hosts"))).parallelism(HOSTS).build();
        ClusterInstaller installer = new ClusterInstaller(new HostSteps(ssh), HOSTS);

        // one unmeasured install first: deploy-svc is a long-running service, so its JIT is warm when a deploy comes
        wipe();
        BenchMain.info(String.format(Locale.ROOT, "warm-up install: %.2f s (not counted)", ours(installer, image, 0)));
        List<Double> ours = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            boolean oursFirst = round % 2 == 1;
            for (int i = 0; i < 2; i++) {
                wipe();
                if (oursFirst == (i == 0)) {
                    ours.add(ours(installer, image, round));
                } else {
                    baseline.add(mode.equals("ansible") ? ansible(image, round) : scp(image, round));
                }
            }
            BenchMain.info(String.format(Locale.ROOT, "round %d: ours %.2f s, %s %.2f s", round, ours.get(round - 1), mode,
                    baseline.get(round - 1)));
        }
        double o = median(ours);
        double b = median(baseline);
        double wire = (double) image.size() * HOSTS / 1e6;
        System.out.printf(Locale.ROOT, "image: %.1f MB x %d hosts = %.0f MB over SSH%n", image.size() / 1e6, HOSTS, wire);
        System.out.printf(Locale.ROOT, "ours (preflight, distribute, unpack, render, hooks): %.2f s (%.0f MB/s)%n", o, wire / o);
        if (mode.equals("ansible")) {
            System.out.printf(Locale.ROOT, "ansible-playbook (copy, unarchive, command; forks=%d): %.2f s%n", HOSTS, b);
            System.out.printf(Locale.ROOT, "ratio=%.2f%n", b / o);
        } else {
            System.out.printf(Locale.ROOT, "parallel scp of the same layers: %.2f s (%.0f MB/s)%n", b, wire / b);
            System.out.printf(Locale.ROOT, "ratio=%.2f%n", o / b);
        }
    }

    private static InstallImage buildImage(ImageStore store) throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("context"));
        Files.createDirectories(ctx.resolve("bin"));
        StringBuilder kubefile = new StringBuilder("FROM scratch\n");
        SplittableRandom random = new SplittableRandom(7);
        byte[] buffer = new byte[1 << 20];
        for (int l = 0; l < LAYERS; l++) {
            Path part = ctx.resolve("bin/part-" + l);
            try (OutputStream out = Files.newOutputStream(part)) {
                for (int mb = 0; mb < MB / LAYERS; mb++) {
                    for (int i = 0; i < buffer.length; i += 8) {
                        long v = random.nextLong();
                        for (int k = 0; k < 8; k++) {
                            buffer[i + k] = (byte) (v >>> (8 * k));
                        }
                    }
                    out.write(buffer);
                }
            }
            kubefile.append("COPY bin/part-").append(l).append(" bin/\n");
        }
        Files.createDirectories(ctx.resolve("hooks/node"));
        Files.writeString(ctx.resolve("hooks/node/10-run.sh"), "test -s bin/part-0 && echo ok > " + DATA_ROOT + "/bench-ran\n");
        kubefile.append("COPY hooks hooks\n");
        Files.writeString(ctx.resolve("Kubefile"), kubefile.toString());
        new CloudImageBuilder(store).build(BuildSpec.builder(ctx).tag("bench:v1").platform(Platform.parse("linux/amd64")).build(),
                BuildListener.NONE);
        return InstallImage.open(store, "bench:v1", "amd64");
    }

    private static double ours(ClusterInstaller installer, InstallImage image, int round) {
        List<InstallTarget> targets = new ArrayList<>();
        for (TestHost h : fleet.hosts()) {
            targets.add(new InstallTarget(h.address(), List.of("node"),
                    SshTarget.of(h.address(), "root", new SshAuth.PrivateKey(fleet.clientKey(), null)), Map.of(), null));
        }
        // one host is the cluster's master in name only (no master hooks), so every host runs the same node hook
        InstallContext context = new InstallContext("bench" + round, image, DATA_ROOT, List.of(), targets.stream()
                .map(InstallTarget::ip).toList(), 5000, Duration.ofMinutes(5));
        long t0 = System.nanoTime();
        NoJournal journal = new NoJournal();
        ClusterInstaller.Report report = installer.install(context, targets, journal);
        double seconds = BenchMain.secondsSince(t0);
        StringBuilder steps = new StringBuilder();
        journal.millis.forEach((step, ms) -> steps.append(String.format(Locale.ROOT, " %s %.1fs", step.label(), ms.sum() / 1000.0 / targets.size())));
        BenchMain.info("ours, mean per host:" + steps);
        if (!report.failures().isEmpty()) {
            throw new IllegalStateException("install failed: " + report.failures().values());
        }
        verifyRan();
        return seconds;
    }

    private static double ansible(InstallImage image, int round) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ansible-" + round));
        StringBuilder inventory = new StringBuilder("[hosts]\n");
        for (TestHost h : fleet.hosts()) {
            inventory.append(h.address()).append(" ansible_user=root ansible_ssh_private_key_file=").append(fleet.clientKey())
                    .append(" ansible_python_interpreter=/usr/bin/python3\n");
        }
        Files.writeString(dir.resolve("inventory"), inventory.toString());
        String rootfs = DATA_ROOT + "/ansible/rootfs";
        StringBuilder play = new StringBuilder("""
                - hosts: hosts
                  gather_facts: false
                  tasks:
                    - name: directories
                      file: {path: "%s", state: directory}
                    - name: layers dir
                      file: {path: "%s/layers", state: directory}
                """.formatted(rootfs, DATA_ROOT));
        for (InstallImage.ImageLayer layer : image.layers()) {
            String remote = DATA_ROOT + "/layers/" + layer.digest().hex();
            play.append("    - name: copy ").append(layer.digest().shortHex()).append('\n')
                    .append("      copy: {src: \"").append(layer.blob()).append("\", dest: \"").append(remote).append("\"}\n")
                    .append("    - name: unpack ").append(layer.digest().shortHex()).append('\n')
                    .append("      unarchive: {src: \"").append(remote).append("\", dest: \"").append(rootfs).append("\", remote_src: true}\n");
        }
        play.append("    - name: hook\n      command: sh hooks/node/10-run.sh\n      args: {chdir: \"").append(rootfs).append("\"}\n");
        Files.writeString(dir.resolve("play.yml"), play.toString());
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/ansible-playbook", "-i", "inventory", "-f", Integer.toString(HOSTS), "play.yml")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("ansible.log").toFile());
        pb.environment().put("ANSIBLE_HOST_KEY_CHECKING", "False");
        pb.environment().put("ANSIBLE_PIPELINING", "True");
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("ansible-playbook failed; see " + dir.resolve("ansible.log") + ":\n"
                    + tail(Files.readString(dir.resolve("ansible.log"))));
        }
        double seconds = BenchMain.secondsSince(t0);
        verifyRan();
        return seconds;
    }

    private static double scp(InstallImage image, int round) throws Exception {
        List<Process> processes = new ArrayList<>();
        long t0 = System.nanoTime();
        for (TestHost h : fleet.hosts()) {
            List<String> cmd = new ArrayList<>(List.of("scp", "-q", "-i", fleet.clientKey().toString(), "-o", "StrictHostKeyChecking=no",
                    "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"));
            image.layers().forEach(l -> cmd.add(l.blob().toString()));
            cmd.add("root@" + h.address() + ":/tmp/");
            processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("scp-" + round + ".log").toFile()).start());
        }
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("scp failed: " + Files.readString(tmp.resolve("scp-" + round + ".log")));
            }
        }
        double seconds = BenchMain.secondsSince(t0);
        for (TestHost h : fleet.hosts()) {
            String size = h.exec("cat /tmp/" + image.layers().get(0).blob().getFileName() + " | wc -c").trim();
            if (Long.parseLong(size) != image.layers().get(0).size()) {
                throw new IllegalStateException("scp left " + size + " bytes on " + h.address());
            }
        }
        return seconds;
    }

    private static void wipe() {
        for (TestHost h : fleet.hosts()) {
            h.exec("rm -rf " + DATA_ROOT + "/* /tmp/* ; sync");
        }
    }

    private static void verifyRan() {
        for (TestHost h : fleet.hosts()) {
            if (!h.exec("cat " + DATA_ROOT + "/bench-ran 2>/dev/null || true").contains("ok")) {
                throw new IllegalStateException("the hook did not run on " + h.address());
            }
        }
    }

    private static String tail(String s) {
        return s.length() < 3000 ? s : s.substring(s.length() - 3000);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void stopAll() {
        if (ssh != null) {
            BenchMain.quietly(ssh::close);
        }
        if (fleet != null) {
            BenchMain.quietly(fleet::close);
        }
        BenchMain.stopInfrastructure(null, null, tmp);
    }

    /** Records nothing as done (every round installs afresh), but sums each step's time over hosts, to show where it goes. */
    private static final class NoJournal implements StepJournal {
        final Map<HostStep, java.util.concurrent.atomic.LongAdder> millis = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public boolean completed(String host, HostStep step, String revision) {
            return false;
        }

        @Override
        public void started(String host, HostStep step, String revision) {
        }

        @Override
        public void completed(String host, HostStep step, String revision, StepResult result) {
            millis.computeIfAbsent(step, k -> new java.util.concurrent.atomic.LongAdder()).add(result.durationMillis());
        }

        @Override
        public void failed(String host, HostStep step, String revision, String reason, boolean transientFault) {
        }
    }
}
