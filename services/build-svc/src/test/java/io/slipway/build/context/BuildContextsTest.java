package io.slipway.build.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
    @TempDir
    Path data;
    @TempDir
    Path work;

    BuildContexts contexts() throws IOException {
        return new BuildContexts(data, 1 << 20, 60);
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
    void somethingThatIsNotAnArchiveIsRefusedAtUpload() {
        assertThatThrownBy(() -> contexts().store(new ByteArrayInputStream("just text".getBytes())))
                .isInstanceOf(ContextException.class).hasMessageContaining("tar");
        assertThatThrownBy(() -> new BuildContexts(data, 10, 60).store(new ByteArrayInputStream(new byte[100])))
                .hasMessageContaining("larger than the limit");
    }

    @Test
    void aGitContextIsClonedAtTheRequestedRevisionWithoutItsHistory() throws Exception {
        Path repo = work.resolve("repo");
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("Kubefile"), "FROM scratch\n");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "v1");
        git(repo, "tag", "v1");
        Files.writeString(repo.resolve("Kubefile"), "FROM scratch\nLABEL v=2\n");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "v2");

        List<String> log = new ArrayList<>();
        contexts().materialize(ContextSource.parse("git+file://" + repo + "#v1"), work.resolve("at-v1"), log::add);
        assertThat(work.resolve("at-v1/Kubefile")).hasContent("FROM scratch");
        assertThat(work.resolve("at-v1/.git")).doesNotExist();
        assertThat(log).anyMatch(l -> l.startsWith("checked out v1 at "));

        assertThatThrownBy(() -> contexts().materialize(ContextSource.parse("git+file://" + repo + "#no-such-tag"), work.resolve("x"), l -> { }))
                .isInstanceOf(ContextException.class).hasMessageContaining("git checkout").hasMessageContaining("no-such-tag");
    }

    @Test
    void gitCredentialsInTheUrlNeverShowInErrors() {
        var source = (ContextSource.Git) ContextSource.parse("git+https://ci:s3cret-token@127.0.0.1:1/repo.git#main");
        assertThat(source.toString()).doesNotContain("s3cret-token").contains("***@127.0.0.1");
        assertThatThrownBy(() -> contexts().materialize(source, work.resolve("x"), l -> { }))
                .hasMessageContaining("git clone").satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-token"));
    }

    @Test
    void malformedContextsAreExplained() {
        assertThatThrownBy(() -> ContextSource.parse("archive:abc")).hasMessageContaining("64-hex id");
        assertThatThrownBy(() -> ContextSource.parse("git+https://h/r.git")).hasMessageContaining("needs a revision");
        assertThatThrownBy(() -> ContextSource.parse("git+ftp://h/r.git#main")).hasMessageContaining("https, http, ssh, git or file");
        assertThatThrownBy(() -> ContextSource.parse("git+file:///r#--upload-pack=x")).hasMessageContaining("not a git revision");
        assertThatThrownBy(() -> ContextSource.parse("/tmp/ctx")).hasMessageContaining("git+<url>#<revision> or archive:<id>");
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
