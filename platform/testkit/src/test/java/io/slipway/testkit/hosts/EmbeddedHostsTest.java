package io.slipway.testkit.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Embedded hosts, the test kit's hosts where there is no root: MINA SSHD servers on loopback addresses, commands in
 * each host's user and mount namespace. Run here whatever user the build runs as.
 */
class EmbeddedHostsTest extends HostFleetContract {
    @Override
    HostFleet.Kind kind() {
        return HostFleet.Kind.EMBEDDED;
    }

    @Override
    void assertNothingElseLeft(HostFleet closed, List<TestHost> itsHosts) {
        // the process holding each host's namespaces is gone, and with it the namespaces and their mounts
        for (TestHost h : itsHosts) {
            long anchor = ((EmbeddedHost) h).anchorPid();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(anchor).map(p -> !p.isAlive()).orElse(true));
        }
    }

    @Test
    void commandsRunAsTheHostsRootInItsOwnFilesWithTheMachinesTools() throws Exception {
        TestHost h = fleet.hosts().get(2);
        assertThat(ssh(fleet, "root", h, "id -u; echo $HOME; pwd")).isEqualTo("0\n/root\n/root\n");
        ssh(fleet, "root", h, "echo hi > /tmp/x && chmod 600 /tmp/x && tar -C /tmp -cf /opt/x.tar x && stat -c %U /opt/x.tar");
        assertThat(h.path("/opt/x.tar")).isRegularFile();
        assertThat(Files.readString(h.path("/tmp/x"))).isEqualTo("hi\n");
        assertThat(Path.of("/tmp/x")).as("the machine's /tmp is not the host's").satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(Files.readString(p)).isNotEqualTo("hi\n"));
        assertThat(fleet.isolatesNetworks()).isFalse();
    }
}
