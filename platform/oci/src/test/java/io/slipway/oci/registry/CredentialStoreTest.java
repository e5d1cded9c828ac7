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
}
