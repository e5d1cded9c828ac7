package io.slipway.deploy.install;

import io.slipway.testkit.Needs;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.deploy.install.InstallImage.ImageLayer;
import io.slipway.oci.store.ImageStore;
import io.slipway.ssh.HostKeyStore;
import io.slipway.ssh.SshAuth;
import io.slipway.ssh.SshEngine;
import io.slipway.ssh.SshRetry;
import io.slipway.ssh.SshTarget;
import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.hosts.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer against each kind of test host (real OpenSSH in network namespaces; embedded MINA SSHD servers where
 * there is no root): role order, templates, hooks, CMDS, idempotence, upgrade by layer diff, resume from the journal,
 * an unreachable host, preflight, and clean-up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterInstallerContract {
    HostFleet fleet;
    SshEngine ssh;
    ImageStore store;
    InstallImage v1;
    InstallImage v2;
    ClusterInstaller installer;
    Path work;

    abstract HostFleet.Kind kind();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        work = dir;
        Needs.machine(HostFleet.available(kind()), "this machine cannot run " + kind() + " test hosts");
        fleet = HostFleet.builder().kind(kind()).hosts(3).build();
        ssh = SshEngine.builder().hostKeys(HostKeyStore.trustingFirstUse(work.resolve("known_hosts"))).parallelism(8)
                .connectTimeout(Duration.ofSeconds(3)).retry(new SshRetry(2, Duration.ofMillis(200), Duration.ofSeconds(1))).build();
        store = ImageStore.open(work.resolve("store"));
        v1 = TestImages.build(store, work, "app:v1", "hello", "");
        v2 = TestImages.build(store, work, "app:v2", "bonjour", "");
        installer = new ClusterInstaller(new HostSteps(ssh), 8);
    }

    @AfterAll
    void stop() {
        if (ssh != null) {
            ssh.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    TestHost host(int i) {
        return fleet.hosts().get(i);
    }

    InstallTarget target(TestHost h, List<String> roles, InstallImage installed) {
        return target(h, roles, installed, Map.of("WHO", "world"));
    }

    InstallTarget target(TestHost h, List<String> roles, InstallImage installed, Map<String, String> env) {
        return new InstallTarget(h.address(), roles, SshTarget.of(h.address(), h.port(), "root", new SshAuth.PrivateKey(fleet.clientKey(), null)),
                env, installed);
    }

    InstallContext context(String cluster, InstallImage image) {
        return new InstallContext(cluster, image, "/var/lib/slipway", List.of(host(0).address(), host(1).address()),
                List.of(host(2).address()), 5000, Duration.ofMinutes(1));
    }

    InstallContext context(String cluster, InstallImage image, LaunchPlan launch) {
        return new InstallContext(cluster, image, "/var/lib/slipway", List.of(host(0).address(), host(1).address()),
                List.of(host(2).address()), 5000, Duration.ofMinutes(1), launch);
    }

    List<InstallTarget> targets(InstallImage installed) {
        return List.of(target(host(0), List.of("master"), installed), target(host(1), List.of("master"), installed),
                target(host(2), List.of("node"), installed));
    }

    String read(TestHost h, String path) throws Exception {
        return Files.readString(h.path(path));
    }

    static String cluster() {
        return "c" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void installsEveryHostMastersOneByOneThenNodesThenCmds() throws Exception {
        String c = cluster();
        MemoryJournal journal = new MemoryJournal();
        ClusterInstaller.Report report = installer.install(context(c, v1), targets(null), journal);

        assertThat(report.failures()).isEmpty();
        assertThat(report.bytesSent()).isGreaterThanOrEqualTo(3L * TestImages.PAYLOAD_BYTES);
        for (int i = 0; i < 3; i++) {
            TestHost h = host(i);
            assertThat(h.path("/var/lib/slipway/clusters/" + c + "/rootfs/bin/payload")).hasSize(TestImages.PAYLOAD_BYTES);
            assertThat(read(h, "/var/lib/slipway/clusters/" + c + "/rootfs/etc/app.conf"))
                    .contains("cluster=" + c, "ip=" + h.address(), "greeting=hello world");
        }
        // masters one at a time, in Clusterfile order: master0 ends before master1 starts
        long end0 = times(host(0), c, "end").get(0);
        long start1 = times(host(1), c, "start").get(0);
        assertThat(end0).isLessThan(start1);
        assertThat(read(host(2), "/var/lib/slipway/trace/" + c + "/node.log"))
                .contains("node " + host(2).address() + " masters=" + host(0).address() + "," + host(1).address());
        assertThat(host(2).path("/var/lib/slipway/trace/" + c + "/master.log")).doesNotExist();
        assertThat(read(host(0), "/var/lib/slipway/trace/" + c + "/cmds.log")).contains("cmds-ran-on-" + host(0).address());
        assertThat(host(1).path("/var/lib/slipway/trace/" + c + "/cmds.log")).doesNotExist();

        // the same install again does nothing: every step is in the journal
        int before = journal.started().size();
        ClusterInstaller.Report again = installer.install(context(c, v1), targets(v1), journal);
        assertThat(again.failures()).isEmpty();
        assertThat(journal.started()).hasSize(before);
        assertThat(again.bytesSent()).isZero();
        clean(c);
    }

    @Test
    void upgradeSendsOnlyTheChangedLayerAndRerunsOnlyTheHooksItAffects() throws Exception {
        String c = cluster();
        assertThat(installer.install(context(c, v1), targets(null), new MemoryJournal()).failures()).isEmpty();
        List<ImageLayer> changed = v2.layersNotIn(v1);
        assertThat(changed).hasSize(1);
        assertThat(changed.get(0).paths()).anyMatch(p -> p.startsWith("etc/"));

        // host 0 is not clean: its copy of the payload layer (which v2 keeps) was cut short, as by a disk that filled up
        ImageLayer payload = v1.layers().stream().filter(l -> l.paths().contains("bin/payload")).findFirst().orElseThrow();
        host(0).exec("truncate -s 1000 /var/lib/slipway/layers/" + payload.digest().hex());

        MemoryJournal journal = new MemoryJournal();
        ClusterInstaller.Report report = installer.install(context(c, v2), targets(v1), journal);

        assertThat(report.failures()).isEmpty();
        // exactly the changed layer, once per host, crossed the wire, and the payload again to host 0
        assertThat(report.bytesSent()).isEqualTo(3 * changed.get(0).size() + payload.size());
        assertThat(host(0).path("/var/lib/slipway/clusters/" + c + "/rootfs/bin/payload")).hasSize(TestImages.PAYLOAD_BYTES);
        // the master hook watches etc/ and ran again; the node hook does not and did not
        assertThat(times(host(0), c, "start")).hasSize(2);
        assertThat(read(host(0), "/var/lib/slipway/trace/" + c + "/app.conf")).contains("greeting=bonjour world");
        assertThat(read(host(2), "/var/lib/slipway/trace/" + c + "/node.log").lines().filter(l -> l.startsWith("node"))).hasSize(1);
        assertThat(report.hooksRun()).containsExactlyInAnyOrder(host(0).address() + ":hooks/master/10-master.sh",
                host(1).address() + ":hooks/master/10-master.sh");
        assertThat(read(host(1), "/var/lib/slipway/clusters/" + c + "/rootfs/etc/app.conf")).contains("greeting=bonjour world");
        clean(c);
    }

    @Test
    void aResumedInstallSkipsWhatTheJournalHasCompleted() throws Exception {
        String c = cluster();
        MemoryJournal first = new MemoryJournal();
        assertThat(installer.install(context(c, v1), targets(null), first).failures()).isEmpty();
        // as if the service died after host 2's render: its hooks and master0's CMDS never ran
        MemoryJournal resumed = new MemoryJournal(first);
        resumed.forget(host(2).address(), HostStep.HOOKS);
        resumed.forget(host(0).address(), HostStep.CMDS);

        ClusterInstaller.Report report = installer.install(context(c, v1), targets(null), resumed);

        assertThat(report.failures()).isEmpty();
        assertThat(resumed.started()).extracting(e -> e.host() + " " + e.step())
                .containsExactlyInAnyOrder(host(2).address() + " HOOKS", host(0).address() + " CMDS");
        assertThat(report.bytesSent()).isZero();
        clean(c);
    }

    @Test
    void anUnreachableHostFailsAloneAndALaterInstallHealsIt() throws Exception {
        String c = cluster();
        host(2).cutLink();
        ClusterInstaller.Report report;
        MemoryJournal journal = new MemoryJournal();
        try {
            report = installer.install(context(c, v1), targets(null), journal);
        } finally {
            host(2).restoreLink();
        }
        assertThat(report.succeeded()).containsExactlyInAnyOrder(host(0).address(), host(1).address());
        StepFailure f = report.failures().get(host(2).address());
        assertThat(f.step()).isEqualTo(HostStep.PREFLIGHT);
        assertThat(f.transientFault()).isTrue();
        assertThat(f.getMessage()).contains(host(2).address());

        long othersBefore = journal.started().stream().filter(e -> !e.host().equals(host(2).address())).count();
        ClusterInstaller.Report healed = installer.install(context(c, v1), targets(null), journal);
        assertThat(healed.failures()).isEmpty();
        assertThat(healed.succeeded()).contains(host(2).address());
        assertThat(read(host(2), "/var/lib/slipway/trace/" + c + "/node.log")).contains("node " + host(2).address());
        assertThat(journal.started().stream().filter(e -> !e.host().equals(host(2).address())).count())
                .as("hosts that were done are not touched again").isEqualTo(othersBefore);
        clean(c);
    }

    @Test
    void preflightNamesABusyPortAndWhatToDo() throws Exception {
        // the host's own SSH server listens there
        int sshPort = host(0).port();
        InstallImage busy = TestImages.build(store, work, "app:ports", "hello", "LABEL io.slipway.preflight.ports=" + sshPort + "\n");
        String c = cluster();
        ClusterInstaller.Report report = installer.install(context(c, busy), targets(null), new MemoryJournal());
        assertThat(report.succeeded()).isEmpty();
        assertThat(report.failures().get(host(0).address()).getMessage())
                .contains(host(0).address(), "preflight", "port(s) [" + sshPort + "] already in use");
    }

    @Test
    void master0LaunchesTheImagesApplicationsInOrderWithTheirEnvAndTheClusterfileCanPickOthers() throws Exception {
        InstallImage apps = TestImages.withApps(store, work, "apps:v1");
        String c = cluster();
        MemoryJournal journal = new MemoryJournal();
        // the Clusterfile's env beats APPENV, which beats the image's ENV
        List<InstallTarget> targets = List.of(target(host(0), List.of("master"), null, Map.of("WHO", "world", "MODE", "clusterfile")),
                target(host(1), List.of("master"), null, Map.of("WHO", "world")), target(host(2), List.of("node"), null, Map.of("WHO", "world")));
        LaunchPlan chart = LaunchPlan.of(apps.reference(), apps.metadata(), List.of(), List.of(), List.of("chart"));
        if (host(0).exec("command -v helm >/dev/null && echo has-helm || echo no-helm").contains("no-helm")) {
            // a chart needs helm on master0, and preflight says so before anything is sent
            ClusterInstaller.Report noHelm = installer.install(context(c, apps, chart), targets, journal);
            assertThat(noHelm.failures().get(host(0).address()).getMessage()).contains("preflight", "required tools missing: helm");
            assertThat(noHelm.bytesSent()).as("master0 failed first; the others got their layers").isGreaterThan(0);
        }
        // tools that say what they were asked, as the real ones would apply and install it, first on the PATH
        for (String tool : List.of("kubectl", "helm")) {
            Files.writeString(host(0).path("/usr/local/bin/" + tool), """
                    #!/bin/sh
                    echo "%s $* in $(pwd) REPLICAS=$REPLICAS" >> /var/lib/slipway/trace/$SLIPWAY_CLUSTER/launch.log
                    """.formatted(tool));
            host(0).exec("chmod 755 /usr/local/bin/" + tool);
        }
        try {
            ClusterInstaller.Report report = installer.install(context(c, apps), targets, journal);
            assertThat(report.failures()).isEmpty();
            String rootfs = "/var/lib/slipway/clusters/" + c + "/rootfs";
            assertThat(read(host(0), "/var/lib/slipway/trace/" + c + "/launch.log").lines().toList()).containsExactly(
                    "setup on " + host(0).address() + " in " + rootfs + " MODE=clusterfile TIER=appenv GREETING=hello WHO=world",
                    "kubectl apply -f application/apps/web/deploy.yaml in " + rootfs + " REPLICAS=2",
                    "kubectl apply -f application/apps/web/svc.yml in " + rootfs + " REPLICAS=2");
            assertThat(host(1).path("/var/lib/slipway/trace/" + c + "/launch.log")).doesNotExist();
            // an application's templates see its APPENV on every host
            assertThat(read(host(2), rootfs + "/application/apps/custom/conf")).isEqualTo("color=blue greeting=hello");

            // the Clusterfile's appNames: only that step runs again, and launches what it names (by its APPCMDS)
            int before = journal.started().size();
            LaunchPlan custom = LaunchPlan.of(apps.reference(), apps.metadata(), List.of(), List.of(), List.of("custom"));
            assertThat(installer.install(context(c, apps, custom), targets, journal).failures()).isEmpty();
            assertThat(journal.started().subList(before, journal.started().size())).extracting(e -> e.host() + " " + e.step())
                    .containsExactly(host(0).address() + " CMDS");
            assertThat(read(host(0), "/var/lib/slipway/trace/" + c + "/launch.log").lines().toList())
                    .endsWith("custom --flag in custom color=blue greeting=hello");

            // a chart: helm install NAME DIR
            assertThat(installer.install(context(c, apps, chart), targets, journal).failures()).isEmpty();
            assertThat(read(host(0), "/var/lib/slipway/trace/" + c + "/launch.log").lines().toList())
                    .endsWith("helm install chart application/apps/chart/ in " + rootfs + " REPLICAS=");

            // appNames [""] launches nothing
            LaunchPlan none = LaunchPlan.of(apps.reference(), apps.metadata(), List.of(), List.of(), List.of(""));
            long lines = read(host(0), "/var/lib/slipway/trace/" + c + "/launch.log").lines().count();
            assertThat(installer.install(context(c, apps, none), targets, journal).failures()).isEmpty();
            assertThat(read(host(0), "/var/lib/slipway/trace/" + c + "/launch.log").lines().count()).isEqualTo(lines);
        } finally {
            host(0).exec("rm -f /usr/local/bin/kubectl /usr/local/bin/helm");
        }
        assertThat(installer.clean(context(c, apps), targets, new MemoryJournal())).isEmpty();
    }

    @Test
    void unpackAppliesWhiteoutsAndAnUpgradeRemovesWhatTheNewImageDropped() throws Exception {
        InstallImage w1 = TestImages.withWhiteouts(store, work, "wh:v1", true);
        InstallImage w2 = TestImages.withWhiteouts(store, work, "wh:v2", false);
        assertThat(w1.layers().get(1).paths()).anyMatch(p -> p.contains(".wh."));
        String c = cluster();
        InstallContext one = new InstallContext(c, w1, "/var/lib/slipway", List.of(host(1).address()), List.of(), 5000, Duration.ofMinutes(1));
        assertThat(installer.install(one, List.of(target(host(1), List.of("master"), null)), new MemoryJournal()).failures()).isEmpty();
        String rootfs = "/var/lib/slipway/clusters/" + c + "/rootfs";
        assertThat(host(1).exec("cd " + rootfs + " && find . -mindepth 1 | sort")).isEqualTo("./etc\n./etc/keep.conf\n./etc/sub\n./etc/sub/b\n");

        InstallContext two = new InstallContext(c, w2, "/var/lib/slipway", List.of(host(1).address()), List.of(), 5000, Duration.ofMinutes(1));
        assertThat(installer.install(two, List.of(target(host(1), List.of("master"), w1)), new MemoryJournal()).failures()).isEmpty();
        assertThat(host(1).exec("cd " + rootfs + " && find . -mindepth 1 | sort")).isEqualTo("./etc\n./etc/sub\n./etc/sub/b\n");
        assertThat(installer.clean(two, List.of(target(host(1), List.of("master"), w2)), new MemoryJournal())).isEmpty();
    }

    @Test
    void cleanRunsTheHostsOwnCleanHooksAndRemovesTheClusterAlsoAfterAHalfInstall() throws Exception {
        String c = cluster();
        installer.install(context(c, v1), targets(null), new MemoryJournal());
        // a half install on host 2: only layers arrived, nothing unpacked
        TestHost half = host(2);
        half.exec("rm -rf /var/lib/slipway/clusters/" + c);

        Map<String, StepFailure> failures = installer.clean(context(c, v1), targets(v1), new MemoryJournal());

        assertThat(failures).isEmpty();
        for (int i = 0; i < 3; i++) {
            assertThat(host(i).path("/var/lib/slipway/clusters/" + c)).doesNotExist();
        }
        assertThat(read(host(0), "/var/lib/slipway/trace/" + c + "/clean.log")).contains("cleaned " + c);
    }

    @Test
    void master0ServesTheImagesCachedContainerImagesFromItsOwnRegistry() throws Exception {
        Needs.machine(io.slipway.embedded.EmbeddedRegistry.available(), "needs Debian's docker-registry");
        try (io.slipway.embedded.EmbeddedRegistry source = io.slipway.embedded.EmbeddedRegistry.start(work.resolve("source-registry"));
             io.slipway.oci.registry.Registries registries = io.slipway.oci.registry.Registries.builder()
                     .defaults(io.slipway.oci.registry.InsecureRegistries.of(List.of())).build()) {
            // a container image in a registry the CloudImage's build caches from
            Path tiny = Files.createDirectories(work.resolve("tiny"));
            Files.writeString(tiny.resolve("hello.txt"), "hello from a cached image");
            Files.writeString(tiny.resolve("Kubefile"), "FROM scratch\nCOPY hello.txt hello.txt\n");
            new io.slipway.cloudimage.build.CloudImageBuilder(store).build(io.slipway.cloudimage.build.BuildSpec.builder(tiny)
                    .tag("tiny:1").platform(io.slipway.oci.Platform.parse("linux/amd64")).build(), io.slipway.cloudimage.build.BuildListener.NONE);
            String remote = source.host() + "/library/tiny:1";
            new io.slipway.oci.registry.ImageTransfer(registries, 2).push(store, io.slipway.oci.Reference.parse("tiny:1").toString(),
                    io.slipway.oci.Reference.parse(remote), io.slipway.oci.registry.TransferListener.NONE);
            Path ctx = Files.createDirectories(work.resolve("with-images"));
            Files.writeString(ctx.resolve("Kubefile"), "FROM scratch\nLABEL purpose=offline-images\n");
            new io.slipway.cloudimage.build.CloudImageBuilder(store)
                    .withContainerImageCache(new io.slipway.cloudimage.offline.RegistryImageCache(registries))
                    .build(io.slipway.cloudimage.build.BuildSpec.builder(ctx).tag("offline:v1").platform(io.slipway.oci.Platform.parse("linux/amd64"))
                            .extraImages(List.of(remote)).build(), io.slipway.cloudimage.build.BuildListener.NONE);
            InstallImage offline = InstallImage.open(store, "offline:v1", "amd64");
            assertThat(offline.hasRegistry()).isTrue();
            source.close(); // from here on only the cluster's own registry has the image

            String c = cluster();
            InstallContext context = new InstallContext(c, offline, "/var/lib/slipway", List.of(host(0).address()), List.of(), 5000,
                    Duration.ofMinutes(1));
            MemoryJournal journal = new MemoryJournal();
            ClusterInstaller.Report report = installer.install(context, List.of(target(host(0), List.of("master"), null)), journal);
            assertThat(report.failures()).isEmpty();
            assertThat(journal.entries).anyMatch(e -> e.step() == HostStep.REGISTRY && e.state().equals("Completed"));
            java.net.http.HttpResponse<String> tags = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://" + host(0).address() + ":5000/v2/library/tiny/tags/list")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(tags.statusCode()).as(tags.body()).isEqualTo(200);
            assertThat(tags.body()).contains("\"1\"");
            assertThat(installer.clean(context, List.of(target(host(0), List.of("master"), null)), new MemoryJournal())).isEmpty();
            assertThat(host(0).exec("awk '$4==\"0A\" && $2 ~ /:1388$/' /proc/net/tcp /proc/net/tcp6 | wc -l").strip())
                    .as("the registry stopped with the cluster").isEqualTo("0");
        }
    }

    private void clean(String c) {
        assertThat(installer.clean(context(c, v1), targets(null), new MemoryJournal())).isEmpty();
    }

    private List<Long> times(TestHost h, String c, String kind) throws Exception {
        List<Long> result = new ArrayList<>();
        for (String line : read(h, "/var/lib/slipway/trace/" + c + "/master.log").split("\n")) {
            if (line.startsWith(kind + " ")) {
                result.add(Long.parseLong(line.substring(kind.length() + 1).trim()));
            }
        }
        return result;
    }
}
