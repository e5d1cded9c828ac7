package io.slipway.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of deploy-svc on one volume keep one file of pinned host keys: what one pins (a run's first contact)
 * the other sees (the delete that follows may land on it), and neither's change replaces the other's.
 */
class SharedHostKeyStoreTest {

    @Test
    void aKeyOneStorePinsTheOtherSeesAndNeitherLosesTheOthersPins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("known_hosts");
        HostKeyStore first = HostKeyStore.at(file);
        HostKeyStore second = HostKeyStore.at(file);
        assertThat(second.admits("10.0.0.1", 22)).isFalse();

        String key = PublicKeyEntry.toString(KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256).getPublic());
        assertThat(first.pin("10.0.0.1", 22, key)).isTrue();
        assertThat(second.pinned("10.0.0.1", 22)).contains(key);
        assertThat(second.admits("10.0.0.1", 22)).isTrue();

        // each changes the file after the other read it: both changes stay
        KeyPair other = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        second.allowFirstUse("10.0.0.2", 22);
        first.pin("10.0.0.3", 22, PublicKeyEntry.toString(other.getPublic()));
        HostKeyStore fresh = HostKeyStore.at(file);
        assertThat(fresh.pinned("10.0.0.1", 22)).contains(key);
        assertThat(fresh.admits("10.0.0.2", 22)).isTrue();
        assertThat(fresh.pinned("10.0.0.3", 22)).isPresent();
    }
}
