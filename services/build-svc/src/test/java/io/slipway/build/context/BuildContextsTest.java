package io.slipway.build.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.outbound.OutboundPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import io.slipway.cloudimage.layer.ArchiveExtractor;
import io.slipway.testkit.git.GitHttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildContextsTest {
    /** The test's git servers listen on loopback. */
    static final OutboundPolicy LOOPBACK = OutboundPolicy.allowing("loopback");
    @TempDir
    Path data;
    @TempDir
    Path work;

    BuildContexts contexts() throws IOException {
        return contexts(new GitClone(Map.of(), Optional.empty(), Duration.ofSeconds(60), "git", LOOPBACK));
    }

    BuildContexts contexts(GitClone git) throws IOException {
        return new BuildContexts(data, 1 << 20, ArchiveExtractor.Limits.DEFAULT, git);
    }

    @Test
    void anUploadedArchiveIsStoredByDigestAndUnpackedForABuild() throws Exception {
        byte[] tar = tar(false, entry("Kubefile", "FROM scratch\n"), entry("manifests/app.yaml", "kind: Pod\n"));
        String id = contexts().store(new ByteArrayInputStream(tar));
        assertThat(id).matches("[a-f0-9]{64}");
        assertThat(contexts().store(new ByteArrayInputStream(tar))).as("same bytes, same id").isEqualTo(id);

        contexts().materialize(ContextSource.parse("archive:" + id), work.resolve("ctx"), line -> { });
        assertThat(work.resolve("ctx/manifests/app.yaml")).hasContent("kind: Pod");
    }

    @Test
    void gzippedArchivesAreAcceptedToo() throws Exception {
        String id = contexts().store(new ByteArrayInputStream(tar(true, entry("Kubefile", "FROM scratch\n"))));
        contexts().materialize(ContextSource.parse("archive:" + id), work.resolve("ctx"), line -> { });
        assertThat(work.resolve("ctx/Kubefile")).exists();
    }

    @Test
    void entriesThatEscapeTheContextAreRefusedByName() throws Exception {
        for (String evil : List.of("../outside.txt", "a/../../outside.txt")) {
            String id = contexts().store(new ByteArrayInputStream(tar(false, entry(evil, "x"))));
            assertThatThrownBy(() -> contexts().materialize(ContextSource.parse("archive:" + id), work.resolve("e" + evil.length()), l -> { }))
                    .isInstanceOf(ContextException.class).hasMessageContaining(evil).hasMessageContaining("climbs out of the archive");
        }
        assertThat(work.resolve("outside.txt")).doesNotExist();
        assertThat(work.getParent().resolve("outside.txt")).doesNotExist();

        String link = contexts().store(new ByteArrayInputStream(tar(false, symlink("etc", "/etc"))));
        assertThatThrownBy(() -> contexts().materialize(ContextSource.parse("archive:" + link), work.resolve("l"), l -> { }))
                .hasMessageContaining("symbolic link etc -> /etc points to an absolute path");
    }

    @Test
    void theConfiguredUnpackLimitsApplyToAContext() throws Exception {
        BuildContexts small = new BuildContexts(data, 1 << 20, new ArchiveExtractor.Limits(1 << 20, 2),
                new GitClone(Map.of(), Optional.empty(), Duration.ofSeconds(60), "git", LOOPBACK));
        String id = small.store(new ByteArrayInputStream(tar(true, entry("Kubefile", "FROM scratch\n"), entry("a", "1"), entry("b", "2"))));
        assertThatThrownBy(() -> small.materialize(ContextSource.parse("archive:" + id), work.resolve("many"), l -> { }))
                .isInstanceOf(ContextException.class)
                .hasMessage("archive archive:" + id + " holds more than 2 entries, the most an archive may unpack to");
    }

    @Test
    void somethingThatIsNotAnArchiveIsRefusedAtUpload() {
        assertThatThrownBy(() -> contexts().store(new ByteArrayInputStream("just text".getBytes())))
                .isInstanceOf(ContextException.class).hasMessageContaining("tar");
        assertThatThrownBy(() -> new BuildContexts(data, 10, ArchiveExtractor.Limits.DEFAULT, new GitClone(Map.of(), Optional.empty(), Duration.ofSeconds(60), "git", LOOPBACK)).store(new ByteArrayInputStream(new byte[100])))
                .hasMessageContaining("larger than the limit");
    }

    private Path repo() throws Exception {
        Path repo = work.resolve("repo");
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("Kubefile"), "FROM scratch\n");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "v1");
        git(repo, "tag", "v1");
        Files.writeString(repo.resolve("Kubefile"), "FROM scratch\nLABEL v=2\n");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "v2");
        return repo;
    }

    @Test
    void aGitContextIsClonedOverHttpsAtTheRequestedRevisionWithoutItsHistory() throws Exception {
        try (GitHttpsServer server = GitHttpsServer.start(work.resolve("server"))) {
            String url = server.publish("app", repo());
            BuildContexts contexts = contexts(new GitClone(Map.of(), Optional.of(server.caCertificate()), Duration.ofSeconds(60), "git", LOOPBACK));
            List<String> log = new ArrayList<>();
            contexts.materialize(ContextSource.parse("git+" + url + "#v1"), work.resolve("at-v1"), log::add);
            assertThat(work.resolve("at-v1/Kubefile")).hasContent("FROM scratch");
            assertThat(work.resolve("at-v1/.git")).doesNotExist();
            assertThat(log).anyMatch(l -> l.startsWith("checked out v1 at "));

            assertThatThrownBy(() -> contexts.materialize(ContextSource.parse("git+" + url + "#no-such-tag"), work.resolve("x"), l -> { }))
                    .isInstanceOf(ContextException.class).hasMessageContaining("git checkout").hasMessageContaining("no-such-tag");
            // the server's certificate is trusted only because it was configured
            assertThatThrownBy(() -> contexts().materialize(ContextSource.parse("git+" + url + "#v1"), work.resolve("y"), l -> { }))
                    .isInstanceOf(ContextException.class).hasMessageContaining("git clone").hasMessageContaining("certificate");
        }
    }

    @Test
    void credentialsComeFromTheConfigurationForTheHostAndNeverFromTheUrl() throws Exception {
        String token = "tok-" + java.util.UUID.randomUUID();
        try (GitHttpsServer server = GitHttpsServer.start(work.resolve("server"), "ci", token)) {
            String url = server.publish("private", repo());
            // in the URL: refused before anything is stored, and the message does not repeat it
            String withToken = url.replace("https://", "https://ci:" + token + "@");
            assertThatThrownBy(() -> ContextSource.parse("git+" + withToken + "#v1")).hasMessageContaining("must not carry credentials")
                    .hasMessageContaining("slipway.build.git-credentials.\"127.0.0.1\"").satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
            assertThatThrownBy(() -> ContextSource.parse("git+" + url.replace("https://", "https://" + token + "@") + "#v1"))
                    .satisfies(e -> assertThat(e.getMessage()).contains("must not carry credentials").doesNotContain(token));

            ContextSource source = ContextSource.parse("git+" + url + "#v1");
            assertThatThrownBy(() -> contexts(new GitClone(Map.of(), Optional.of(server.caCertificate()), Duration.ofSeconds(60), "git", LOOPBACK))
                    .materialize(source, work.resolve("none"), l -> { }))
                    .hasMessageContaining("no credentials are configured for 127.0.0.1: slipway.build.git-credentials.\"127.0.0.1\"");

            var credentials = new GitClone.Credentials(Optional.of("ci"), Optional.of(token), Optional.empty(), Optional.empty());
            assertThat(credentials.toString()).doesNotContain(token);
            List<String> log = new ArrayList<>();
            contexts(new GitClone(Map.of("127.0.0.1", credentials), Optional.of(server.caCertificate()), Duration.ofSeconds(60), "git", LOOPBACK))
                    .materialize(source, work.resolve("with"), log::add);
            assertThat(work.resolve("with/Kubefile")).hasContent("FROM scratch");
            assertThat(String.join("\n", log)).doesNotContain(token);
            assertThat(server.requests()).anySatisfy(r -> assertThat(r.password()).isEqualTo(token));

            // another host's credentials are not sent here
            int before = server.requests().size();
            var elsewhere = Map.of("git.example.com", credentials);
            assertThatThrownBy(() -> contexts(new GitClone(elsewhere, Optional.of(server.caCertificate()), Duration.ofSeconds(60), "git", LOOPBACK))
                    .materialize(source, work.resolve("elsewhere"), l -> { })).isInstanceOf(ContextException.class);
            assertThat(server.requests().subList(before, server.requests().size())).allSatisfy(r -> assertThat(r.password()).isNull());
        }
    }

    @Test
    void aRemoteThatStopsAnsweringIsCutOffAtTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread accepter = Thread.ofVirtual().start(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, never answered: TLS waits for the server's hello forever
                    }
                } catch (IOException closed) {
                    held.forEach(s -> {
                        try {
                            s.close();
                        } catch (IOException ignored) {
                        }
                    });
                }
            });
            ContextSource source = ContextSource.parse("git+https://127.0.0.1:" + silent.getLocalPort() + "/stalled.git#main");
            long start = System.nanoTime();
            assertThatThrownBy(() -> contexts(new GitClone(Map.of(), Optional.empty(), Duration.ofSeconds(2), "git", LOOPBACK))
                    .materialize(source, work.resolve("stalled"), l -> { }))
                    .isInstanceOf(ContextException.class).hasMessageContaining("took longer than 2 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));

            // a name only the outbound policy's resolution knows: git connects to the address the policy admitted (and
            // so waits on the silent server) instead of asking the system's resolver, which has never heard of it
            OutboundPolicy pinned = OutboundPolicy.allowing("loopback", host -> host.equals("pinned.rebind.test")
                    ? new InetAddress[] {InetAddress.getLoopbackAddress()} : InetAddress.getAllByName(host));
            assertThatThrownBy(() -> contexts(new GitClone(Map.of(), Optional.empty(), Duration.ofSeconds(2), "git", pinned))
                    .materialize(ContextSource.parse("git+https://pinned.rebind.test:" + silent.getLocalPort() + "/stalled.git#main"),
                            work.resolve("pinned"), l -> { }))
                    .isInstanceOf(ContextException.class).hasMessageContaining("took longer than 2 s");
            silent.close();
            accepter.join(5_000);
        }
        // no git or git-remote-https of this JVM is left running
        assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").contains("git"))).isEmpty();
    }

    @Test
    void gitSeesNoneOfTheServicesEnvironment() throws Exception {
        Path seen = work.resolve("env.txt");
        Path fake = fakeGit("fake-git", "env > '" + seen + "'");
        var credentials = new GitClone.Credentials(Optional.of("ci"), Optional.of("pw-7c1"), Optional.empty(), Optional.empty());
        // git.example.com resolves to a public address here (no resolver is asked)
        OutboundPolicy publicOnly = OutboundPolicy.allowing("", host -> new java.net.InetAddress[] {java.net.InetAddress.getByName("93.184.216.34")});
        assertThatThrownBy(() -> contexts(new GitClone(Map.of("git.example.com", credentials), Optional.empty(), Duration.ofSeconds(10),
                fake.toString(), publicOnly)).materialize(ContextSource.parse("git+https://git.example.com/app.git#main"), work.resolve("e"), l -> { }))
                .isInstanceOf(ContextException.class).hasMessageContaining("git clone");
        Map<String, String> env = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(seen)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        // only git's own settings, the credentials for this host, and a PATH; nothing of the service's (its key
        // store, database password, SSH agent)
        assertThat(env.keySet()).allSatisfy(k -> assertThat(k).matches("PATH|HOME|LANG|PWD|SHLVL|_|OLDPWD|GIT_.*|SLIPWAY_GIT_(USERNAME|PASSWORD)"));
        assertThat(env.keySet()).doesNotContain("SSH_AUTH_SOCK", "JAVA_HOME", "MAVEN_OPTS", "USER");
        assertThat(env).containsEntry("GIT_CONFIG_NOSYSTEM", "1").containsEntry("GIT_CONFIG_GLOBAL", "/dev/null")
                .containsEntry("GIT_TERMINAL_PROMPT", "0").containsEntry("SLIPWAY_GIT_PASSWORD", "pw-7c1");
        assertThat(env.get("HOME")).isNotEqualTo(System.getProperty("user.home"));
        assertThat(Path.of(env.get("HOME"))).as("the private HOME is removed afterwards").doesNotExist();
        assertThat(env.get("GIT_SSH_COMMAND")).contains("BatchMode=yes", "IdentityAgent=none", "StrictHostKeyChecking=yes",
                "HostName=93.184.216.34", "HostKeyAlias=git.example.com");
        // git connects to the address the policy checked, not to a second answer for the name
        assertThat(env).containsEntry("GIT_CONFIG_KEY_4", "http.curloptResolve")
                .containsEntry("GIT_CONFIG_VALUE_4", "git.example.com:443:93.184.216.34");
    }

    @Test
    void aRemoteOnAnAddressTheServiceMayNotReachIsNeverContacted() throws Exception {
        Path ran = work.resolve("ran.txt");
        Path fake = fakeGit("never-git", "touch '" + ran + "'");
        for (String url : List.of("git+https://10.255.0.1/app.git#main", "git+ssh://git@127.0.0.1/app.git#main",
                "git+https://169.254.169.254/latest.git#main")) {
            assertThatThrownBy(() -> contexts(new GitClone(Map.of(), Optional.empty(), Duration.ofSeconds(10), fake.toString(),
                    OutboundPolicy.PUBLIC_ONLY)).materialize(ContextSource.parse(url), work.resolve("n"), l -> { }))
                    .as(url).isInstanceOf(ContextException.class).hasMessageContaining("git remote").hasMessageContaining("not allowed");
        }
        assertThat(ran).as("git was never started").doesNotExist();
    }

    @Test
    void malformedContextsAreExplained() {
        assertThatThrownBy(() -> ContextSource.parse("archive:abc")).hasMessageContaining("64-hex id");
        assertThatThrownBy(() -> ContextSource.parse("git+https://h/r.git")).hasMessageContaining("needs a revision");
        for (String scheme : List.of("ftp", "file", "http", "git")) {
            assertThatThrownBy(() -> ContextSource.parse("git+" + scheme + "://h/r.git#main")).hasMessageContaining("must use https or ssh");
        }
        assertThatThrownBy(() -> ContextSource.parse("git+file:///etc#main")).hasMessageContaining("must use https or ssh");
        assertThatThrownBy(() -> ContextSource.parse("git+https://h/r#--upload-pack=x")).hasMessageContaining("not a git revision");
        assertThatThrownBy(() -> ContextSource.parse("git+ssh://git:pw@h/r.git#main")).hasMessageContaining("must not carry credentials");
        assertThat(ContextSource.parse("git+ssh://git@h/r.git#main")).hasToString("git+ssh://git@h/r.git#main");
        assertThatThrownBy(() -> ContextSource.parse("/tmp/ctx")).hasMessageContaining("git+<url>#<revision> or archive:<id>");
    }

    /** A stand-in for git that runs {@code line} and fails, to see what git would be given. */
    private Path fakeGit(String name, String line) throws Exception {
        Path fake = work.resolve(name);
        Files.writeString(fake, "#!/bin/sh\n" + line + "\nexit 3\n");
        Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return fake;
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private record Entry(String name, String content, String link) {
    }

    private static Entry entry(String name, String content) {
        return new Entry(name, content, null);
    }

    private static Entry symlink(String name, String target) {
        return new Entry(name, null, target);
    }

    private static byte[] tar(boolean gzip, Entry... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var out = gzip ? new GZIPOutputStream(bytes) : bytes; TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Entry e : entries) {
                if (e.link() != null) {
                    TarArchiveEntry t = new TarArchiveEntry(e.name(), TarArchiveEntry.LF_SYMLINK);
                    t.setLinkName(e.link());
                    tar.putArchiveEntry(t);
                } else {
                    byte[] content = e.content().getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry t = new TarArchiveEntry(e.name());
                    t.setSize(content.length);
                    tar.putArchiveEntry(t);
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
