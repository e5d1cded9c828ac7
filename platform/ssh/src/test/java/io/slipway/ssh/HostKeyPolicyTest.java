package io.slipway.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a store that is not told to trust first use does with a host it has no pin for: the key exchange is refused, so
 * the credential never leaves. The server here is MINA's, so the test can count the passwords it was offered.
 */
class HostKeyPolicyTest {
    private static final String PASSWORD = "Canary-Host-Password-7";

    @TempDir
    Path tmp;
    SshServer server;
    KeyPair hostKey;
    final List<String> offered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(tmp.resolve("host-key"));
        keys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        keys.setKeySize(256);
        hostKey = keys.loadKeys(null).iterator().next();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(keys);
        server.setPasswordAuthenticator((user, password, session) -> {
            offered.add(password);
            return PASSWORD.equals(password);
        });
        server.setCommandFactory(ProcessShellCommandFactory.INSTANCE);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop(true);
    }

    SshTarget target() {
        return SshTarget.of("127.0.0.1", server.getPort(), "root", new SshAuth.Password(PASSWORD));
    }

    SshEngine engine(HostKeyStore keys) {
        return SshEngine.builder().hostKeys(keys).connectTimeout(Duration.ofSeconds(5)).retry(SshRetry.none()).build();
    }

    @Test
    void anUnpinnedHostGetsNoCredentialUntilTrustOnFirstUseIsAllowedForIt() throws Exception {
        Path known = tmp.resolve("known_hosts");
        HostKeyStore keys = HostKeyStore.at(known);
        try (SshEngine ssh = engine(keys)) {
            assertThatThrownBy(() -> ssh.exec(target(), "true", Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(SshException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SshException.Kind.HOST_KEY_UNKNOWN);
                        assertThat(e.transientFault()).isFalse();
                    })
                    .hasMessageContaining("no host key is pinned for 127.0.0.1:" + server.getPort())
                    .hasMessageContaining(KeyUtils.getFingerPrint(hostKey.getPublic()))
                    .hasMessageNotContaining(PASSWORD);
            assertThat(offered).as("the password was never sent").isEmpty();
            assertThat(keys.pinned("127.0.0.1", server.getPort())).isEmpty();

            keys.allowFirstUse("127.0.0.1", server.getPort());
            assertThat(HostKeyStore.at(known).admits("127.0.0.1", server.getPort())).as("the allowance is kept in the file").isTrue();
            assertThat(ssh.exec(target(), "echo in", Duration.ofSeconds(10)).stdout()).isEqualTo("in\n");
            assertThat(offered).containsExactly(PASSWORD);
            assertThat(keys.pinned("127.0.0.1", server.getPort())).contains(PublicKeyEntry.toString(hostKey.getPublic()));
            assertThat(Files.readString(known)).doesNotContain(HostKeyStore.FIRST_USE);
        }
    }

    @Test
    void aPinnedFingerprintAdmitsOnlyItsKeyAndBecomesTheKey() throws Exception {
        HostKeyStore keys = HostKeyStore.at(tmp.resolve("fingerprints"));
        String fingerprint = KeyUtils.getFingerPrint(hostKey.getPublic());
        try (SshEngine ssh = engine(keys)) {
            KeyPair other = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
            keys.pin("127.0.0.1", server.getPort(), KeyUtils.getFingerPrint(other.getPublic()));
            assertThatThrownBy(() -> ssh.exec(target(), "true", Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.HOST_KEY_CHANGED))
                    .hasMessageContaining(fingerprint);
            assertThat(offered).isEmpty();

            keys.pin("127.0.0.1", server.getPort(), fingerprint);
            assertThat(ssh.exec(target(), "echo ok", Duration.ofSeconds(10)).stdout()).isEqualTo("ok\n");
            assertThat(keys.pinned("127.0.0.1", server.getPort())).contains(PublicKeyEntry.toString(hostKey.getPublic()));
        }
    }

    @Test
    void trustOnFirstUseNeverOverridesAPin() {
        HostKeyStore keys = HostKeyStore.at(tmp.resolve("kept"));
        String entry = PublicKeyEntry.toString(hostKey.getPublic());
        keys.pin("10.0.0.9", 22, "10.0.0.9 " + entry + " root@node9");
        keys.allowFirstUse("10.0.0.9", 22);
        assertThat(keys.pinned("10.0.0.9", 22)).contains(entry);
        assertThat(keys.admits("10.0.0.8", 22)).isFalse();
    }

    @Test
    void aHostKeyThatIsNeitherAKeyNorAFingerprintIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> HostKeyStore.normalized("ssh-ed25519 not-base64-at-all"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssh-keyscan").hasMessageContaining("SHA256:");
        assertThatThrownBy(() -> HostKeyStore.normalized("SHA256:short")).isInstanceOf(IllegalArgumentException.class);
        assertThat(HostKeyStore.normalized(KeyUtils.getFingerPrint(hostKey.getPublic()))).startsWith("SHA256:");
    }
}
