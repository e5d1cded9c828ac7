package io.slipway.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.Slipway;
import io.slipway.cli.api.PlatformClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deploy commands send what deploy-svc expects and render its progress, with sealer's exit codes. */
class DeployCommandsTest {
    FakeDeployApi api;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;
    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        api = new FakeDeployApi();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(originalOut);
        api.close();
    }

    int slipway(String... args) {
        var cli = Slipway.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true));
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server";
        all[args.length + 1] = api.url();
        all[args.length + 2] = "--token";
        all[args.length + 3] = "test-token";
        return cli.execute(all);
    }

    static JsonNode json(String s) throws Exception {
        return PlatformClient.mapper().readTree(s);
    }

    static String step(String host, String step, String state, String detail) {
        return "{\"cluster\":\"demo\",\"host\":\"" + host + "\",\"step\":\"" + step + "\",\"state\":\"" + state + "\",\"detail\":\""
                + detail + "\",\"at\":\"2026-11-24T00:00:00Z\"}";
    }

    static String cluster(String state, String detail) {
        return "{\"cluster\":\"demo\",\"host\":null,\"state\":\"" + state + "\",\"detail\":\"" + detail + "\"}";
    }

    @Test
    void runSendsTheHostsTheKeyAndTheEnvThenFollowsProgressToReady() throws Exception {
        Path key = Files.writeString(tmp.resolve("id"), "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n");
        api.progress = List.of(cluster("Installing", "run requested"), step("10.0.0.2", "distribute", "Completed", "3 layer(s) sent (24.1 MB)"),
                cluster("Ready", "2 host(s) ready"));
        int rc = slipway("run", "etcd:v1", "-m", "10.0.0.2", "-n", "10.0.0.3,10.0.0.4", "--pk", key.toString(), "--name", "demo",
                "-e", "TIER=prod", "--apps", "web,db", "--cmds", "sh check.sh");
        assertThat(rc).as(err.toString()).isZero();
        FakeDeployApi.Seen run = api.requests.get(0);
        assertThat(run.method() + " " + run.path()).isEqualTo("POST /api/v1/deploy/clusters/run");
        JsonNode body = json(run.body());
        assertThat(body.path("image").asText()).isEqualTo("etcd:v1");
        assertThat(body.path("masters").toString()).isEqualTo("[\"10.0.0.2\"]");
        assertThat(body.path("nodes").toString()).isEqualTo("[\"10.0.0.3\",\"10.0.0.4\"]");
        assertThat(body.path("privateKey").asText()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(body.path("env").path("TIER").asText()).isEqualTo("prod");
        assertThat(body.path("appNames").toString()).isEqualTo("[\"web\",\"db\"]");
        assertThat(body.path("cmd").toString()).isEqualTo("[\"sh check.sh\"]");
        assertThat(api.requests.get(1).path()).isEqualTo("/api/v1/deploy/clusters/demo/progress");
        assertThat(out.toString()).contains("10.0.0.2        distribute Completed 3 layer(s) sent (24.1 MB)")
                .contains("cluster demo: Ready - 2 host(s) ready").doesNotContain("BEGIN OPENSSH");
    }

    @Test
    void exitCodesFollowTheFinalState() {
        api.progress = List.of(cluster("Installing", ""), step("10.0.0.3", "preflight", "Failed", "10.0.0.3: cannot connect"),
                cluster("Degraded", "10.0.0.3 (preflight): cannot connect"));
        assertThat(slipway("run", "etcd:v1", "-m", "10.0.0.2", "-p", "pw")).isEqualTo(2);
        api.progress = List.of(cluster("Failed", "image etcd:v9 is neither in build-svc's store nor names a registry"));
        assertThat(slipway("status", "demo", "--watch")).isEqualTo(1);
        assertThat(out.toString()).contains("cluster demo: Failed - image etcd:v9");
    }

    @Test
    void aPasswordGivenOnTheCommandLineOrTheEnvironmentIsSentButNeverPrinted() throws Exception {
        api.status = 200;
        api.answer = "{\"name\":\"demo\",\"state\":\"Ready\",\"changed\":false}";
        assertThat(slipway("run", "etcd:v1", "-m", "10.0.0.2", "-u", "ops", "-p", "Very-Secret-7", "--detach")).isZero();
        JsonNode body = json(api.requests.get(0).body());
        assertThat(body.path("password").asText()).isEqualTo("Very-Secret-7");
        assertThat(body.path("user").asText()).isEqualTo("ops");
        assertThat(out.toString()).contains("cluster demo: no changes").doesNotContain("Very-Secret-7");
        assertThat(err.toString()).doesNotContain("Very-Secret-7");
    }

    @Test
    void runWithoutCredentialsIsAClearError() {
        assertThat(slipway("run", "etcd:v1", "-m", "10.0.0.2")).isEqualTo(1);
        assertThat(err.toString()).contains("give SSH credentials: --pk FILE or -p");
        assertThat(api.requests).isEmpty();
        assertThat(slipway("run", "etcd:v1")).isEqualTo(2); // picocli: the required -m is missing
        assertThat(err.toString()).contains("Missing required option: '--masters=IP'");
    }

    @Test
    void applySendsTheClusterfileAsYamlAndABadOneShowsLineAndField() throws Exception {
        Path cf = Files.writeString(tmp.resolve("Clusterfile"), "apiVersion: sealer.io/v2\nkind: Cluster\n");
        api.status = 400;
        api.answer = "{\"error\":\"Clusterfile:9: spec.hosts[0].ips[0]: \\\"10.0.0\\\" is not an IP address\",\"field\":\"spec.hosts[0].ips[0]\",\"line\":9}";
        assertThat(slipway("apply", "-f", cf.toString())).isEqualTo(1);
        FakeDeployApi.Seen apply = api.requests.get(0);
        assertThat(apply.path()).isEqualTo("/api/v1/deploy/clusters/apply");
        assertThat(apply.contentType()).isEqualTo("application/yaml");
        assertThat(apply.body()).isEqualTo("apiVersion: sealer.io/v2\nkind: Cluster\n");
        assertThat(err.toString()).contains("Clusterfile:9: spec.hosts[0].ips[0]: \"10.0.0\" is not an IP address");

        api.status = 200;
        api.answer = "{\"cluster\":\"demo\",\"changed\":true,\"plan\":{\"hostsToAdd\":[{\"ip\":\"10.0.0.9\",\"roles\":[\"node\"]}]}}";
        assertThat(slipway("apply", "-f", cf.toString(), "--dry-run")).isZero();
        assertThat(api.requests.get(1).path()).isEqualTo("/api/v1/deploy/clusters/apply?dryRun=true");
        assertThat(out.toString()).contains("\"hostsToAdd\"").contains("10.0.0.9");
    }

    @Test
    void runAndJoinSayWhichMachinesAnswerTheirHostsByKeyByKeyscanFileOrByTrustOnFirstUse() throws Exception {
        String fingerprint = "SHA256:" + "k".repeat(43);
        Path scanned = Files.writeString(tmp.resolve("hosts.keys"), """
                # 10.0.0.2:22 SSH-2.0-OpenSSH_9.2
                10.0.0.2 ecdsa-sha2-nistp256 AAAAE2VjZHNh
                [10.0.0.3]:2222,node3 ssh-ed25519 AAAAC3NzaC1l
                10.0.0.99 ssh-ed25519 AAAAnotasked
                """);
        api.status = 200;
        api.answer = "{\"name\":\"demo\",\"state\":\"Ready\",\"changed\":false}";
        assertThat(slipway("run", "etcd:v1", "-m", "10.0.0.2", "-n", "10.0.0.3,10.0.0.4", "-p", "pw", "--host-keys", scanned.toString(),
                "--host-key", "10.0.0.4=" + fingerprint, "--detach")).as(err.toString()).isZero();
        JsonNode run = json(api.requests.get(0).body());
        assertThat(run.path("hostKeys").path("10.0.0.2").asText()).isEqualTo("ecdsa-sha2-nistp256 AAAAE2VjZHNh");
        assertThat(run.path("hostKeys").path("10.0.0.3").asText()).isEqualTo("ssh-ed25519 AAAAC3NzaC1l");
        assertThat(run.path("hostKeys").path("10.0.0.4").asText()).isEqualTo(fingerprint);
        assertThat(run.path("hostKeys").has("10.0.0.99")).as("only the hosts of the command").isFalse();
        assertThat(run.has("trustOnFirstUse")).isFalse();

        api.requests.clear();
        api.progress = List.of(cluster("Ready", "joined"));
        assertThat(slipway("join", "demo", "-n", "10.0.0.9", "--trust-on-first-use")).isZero();
        assertThat(json(api.requests.get(0).body()).path("trustOnFirstUse").asBoolean()).isTrue();

        Path hashed = Files.writeString(tmp.resolve("hashed.keys"), "|1|abc=|def= ssh-ed25519 AAAA\n");
        assertThat(slipway("join", "demo", "-n", "10.0.0.9", "--host-keys", hashed.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("hashed.keys:1", "without -H");
    }

    @Test
    void applySendsAKeyFileTheClusterfileNamesAsItsContent() throws Exception {
        Path key = Files.writeString(tmp.resolve("id_ecdsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n");
        Path cf = Files.writeString(tmp.resolve("Clusterfile"), """
                spec:
                  ssh:
                    pk: "%s"
                  hosts:
                    - ips: [10.0.0.2]
                      ssh:
                        pk: |
                          -----BEGIN OPENSSH PRIVATE KEY-----
                          inline
                          -----END OPENSSH PRIVATE KEY-----
                """.formatted(key));
        api.progress = List.of(cluster("Ready", "applied"));
        assertThat(slipway("apply", "-f", cf.toString())).as(err.toString()).isZero();
        assertThat(api.requests.get(0).body()).isEqualTo("""
                spec:
                  ssh:
                    pk: |
                      -----BEGIN OPENSSH PRIVATE KEY-----
                      abc
                      -----END OPENSSH PRIVATE KEY-----
                  hosts:
                    - ips: [10.0.0.2]
                      ssh:
                        pk: |
                          -----BEGIN OPENSSH PRIVATE KEY-----
                          inline
                          -----END OPENSSH PRIVATE KEY-----
                """);
        assertThat(out.toString()).doesNotContain("abc");

        api.requests.clear();
        Files.writeString(cf, "spec:\n  ssh:\n    pk: " + tmp.resolve("missing") + "\n");
        assertThat(slipway("apply", "-f", cf.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("Clusterfile:3: pk: cannot read the private key");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void secretsAreSetFromAFileOrStandardInputNeverFromTheCommandLine() throws Exception {
        Path key = Files.writeString(tmp.resolve("id"), "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n");
        api.status = 201;
        api.answer = "{\"name\":\"node-key\"}";
        assertThat(slipway("secret", "set", "node-key", "--from-file", key.toString())).as(err.toString()).isZero();
        FakeDeployApi.Seen put = api.requests.get(0);
        assertThat(put.method() + " " + put.path()).isEqualTo("PUT /api/v1/deploy/secrets/node-key");
        assertThat(json(put.body()).path("value").asText()).isEqualTo(Files.readString(key));
        assertThat(out.toString()).contains("${secret:node-key}").doesNotContain("abc");

        java.io.InputStream stdin = System.in;
        System.setIn(new java.io.ByteArrayInputStream("Db-Password-4\n".getBytes(StandardCharsets.UTF_8)));
        try {
            assertThat(slipway("secret", "set", "db-pw", "--stdin")).isZero();
        } finally {
            System.setIn(stdin);
        }
        assertThat(json(api.requests.get(1).body()).path("value").asText()).isEqualTo("Db-Password-4");
        assertThat(slipway("secret", "set", "db-pw")).as("a value must come from somewhere").isEqualTo(2);

        api.status = 200;
        api.answer = "[{\"name\":\"db-pw\",\"updatedBy\":\"ops\",\"updatedAt\":\"2026-12-06T00:00:00Z\"}]";
        assertThat(slipway("secret", "list")).isZero();
        assertThat(out.toString()).containsPattern("db-pw\\s+ops\\s+2026-12-06");
    }

    @Test
    void joinDeleteResetAndClustersCallTheirEndpoints() throws Exception {
        api.progress = List.of(cluster("Ready", "joined"));
        assertThat(slipway("join", "demo", "-n", "10.0.0.9")).isZero();
        assertThat(api.requests.get(0).path()).isEqualTo("/api/v1/deploy/clusters/demo/join");
        assertThat(json(api.requests.get(0).body()).path("nodes").toString()).isEqualTo("[\"10.0.0.9\"]");

        api.requests.clear();
        api.progress = List.of(cluster("Deleted", "deleted"));
        assertThat(slipway("delete", "demo", "-a", "--force")).isZero();
        assertThat(api.requests.get(0).method() + " " + api.requests.get(0).path()).isEqualTo("DELETE /api/v1/deploy/clusters/demo?force=true");

        api.requests.clear();
        api.progress = List.of(cluster("Ready", "removed"));
        assertThat(slipway("delete", "demo", "-n", "10.0.0.9")).isZero();
        assertThat(api.requests.get(0).path()).isEqualTo("/api/v1/deploy/clusters/demo/remove");
        assertThat(slipway("delete", "demo")).isEqualTo(1);
        assertThat(err.toString()).contains("give either -a");

        api.requests.clear();
        api.progress = List.of(cluster("Degraded", "reset 10.0.0.9; apply to install again"));
        assertThat(slipway("reset", "demo", "10.0.0.9")).isZero();
        assertThat(api.requests.get(0).path()).isEqualTo("/api/v1/deploy/clusters/demo/hosts/10.0.0.9/reset");

        api.status = 200;
        api.answer = "[{\"name\":\"demo\",\"image\":\"etcd:v1\",\"state\":\"Ready\",\"hosts\":[{},{}],\"message\":\"2 host(s) ready\"}]";
        assertThat(slipway("clusters")).isZero();
        assertThat(out.toString()).containsPattern("demo\\s+etcd:v1\\s+Ready\\s+2\\s+2 host\\(s\\) ready");
    }
}
