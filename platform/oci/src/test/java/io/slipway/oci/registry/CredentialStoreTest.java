package io.slipway.oci.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Logins are kept owner-only, in docker's auth.json shape, and never shown. */
class CredentialStoreTest {

    @Test
    void loginFindLogoutWithOwnerOnlyFile(@TempDir Path dir) throws Exception {
        CredentialStore store = CredentialStore.in(dir);
        store.login("https://registry.example.com/", new Credentials("ci", "t0ken:with:colons"));
        store.login("127.0.0.1:5000", new Credentials("dev", "pw"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
        assertThat(store.find("registry.example.com")).contains(new Credentials("ci", "t0ken:with:colons"));
        assertThat(store.registries()).containsExactly("127.0.0.1:5000", "registry.example.com");
        assertThat(Files.readString(store.file())).contains("\"auths\"").doesNotContain("t0ken");

        assertThat(store.logout("registry.example.com")).isTrue();
        assertThat(store.logout("registry.example.com")).isFalse();
        assertThat(store.find("registry.example.com")).isEmpty();
        assertThat(CredentialStore.in(dir).find("127.0.0.1:5000")).contains(new Credentials("dev", "pw"));
    }

    @Test
    void secretsNeverAppearInTextOrErrors(@TempDir Path dir) throws Exception {
        Credentials creds = new Credentials("ci", "hunter2");
        assertThat(creds.toString()).doesNotContain("hunter2").contains("ci");
        Files.writeString(dir.resolve(CredentialStore.FILE_NAME), "{\"auths\": {\"x\": {\"auth\": \"hunter2 broken");
        assertThatThrownBy(() -> CredentialStore.in(dir).find("x")).hasMessageContaining("not valid JSON")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new Credentials("a:b", "c")).hasMessageContaining("must not contain ':'");
    }

    /** A sealer for the test: reversible, and visibly not the plain text (the service uses its AES-GCM secret box). */
    private static final CredentialStore.Sealer REVERSED = new CredentialStore.Sealer() {
        @Override
        public String seal(String plain) {
            return "sealed:test:" + new StringBuilder(plain).reverse();
        }

        @Override
        public String open(String sealed) {
            if (!sealed.startsWith("sealed:test:")) {
                throw new IllegalStateException("not sealed by this key");
            }
            return new StringBuilder(sealed.substring("sealed:test:".length())).reverse().toString();
        }
    };

    @Test
    void aSealedStoreKeepsNoUsableLoginAndSealsPlainOnesItFinds(@TempDir Path dir) throws Exception {
        // a plain file from before sealing (or from docker's own login)
        CredentialStore.in(dir).login("old.example.com", new Credentials("ci", "Canary-old-pw"));
        String plainAuth = java.util.Base64.getEncoder().encodeToString("ci:Canary-old-pw".getBytes());
        assertThat(Files.readString(dir.resolve(CredentialStore.FILE_NAME))).contains(plainAuth);

        CredentialStore sealed = CredentialStore.sealedIn(dir, REVERSED);
        assertThat(Files.readString(sealed.file())).as("sealed on open").doesNotContain(plainAuth).contains("\"sealed\"")
                .doesNotContain("\"auth\"");
        sealed.login("new.example.com", new Credentials("dev", "Canary-new-pw"));
        String text = Files.readString(sealed.file());
        assertThat(text).doesNotContain(java.util.Base64.getEncoder().encodeToString("dev:Canary-new-pw".getBytes()))
                .doesNotContain("Canary-new-pw");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sealed.file()))).isEqualTo("rw-------");
        assertThat(sealed.find("old.example.com")).contains(new Credentials("ci", "Canary-old-pw"));
        assertThat(sealed.find("new.example.com")).contains(new Credentials("dev", "Canary-new-pw"));
        assertThat(sealed.registries()).containsExactly("new.example.com", "old.example.com");

        // a sealed entry that does not open is an error naming the registry, never the content
        Files.writeString(sealed.file(), text.replace("sealed:test:", "sealed:other:"));
        assertThatThrownBy(() -> sealed.find("new.example.com")).hasMessageContaining("new.example.com")
                .hasMessageContaining("does not open").hasMessageNotContaining("wp-wen");
    }
}
