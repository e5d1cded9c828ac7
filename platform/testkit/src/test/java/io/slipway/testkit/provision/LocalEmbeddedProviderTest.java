package io.slipway.testkit.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.slipway.provision.ProviderNode;
import io.slipway.provision.local.LocalProvider;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Local hosts for machines without root: embedded SSH servers on loopback addresses, commands in user namespaces. */
class LocalEmbeddedProviderTest extends LocalProviderContract {
    @Override
    LocalProvider.Mode mode() {
        return LocalProvider.Mode.EMBEDDED;
    }

    /** The process holding the host's user and mount namespaces (its anchor), as recorded in the host's directory. */
    @Override
    List<Long> processesOf(LocalProvider provider, ProviderNode node) throws Exception {
        long anchor = Long.parseLong(Files.readString(provider.hostDir(node.id()).resolve("anchor")).strip().split(" ")[0]);
        return ProcessHandle.of(anchor).filter(ProcessHandle::isAlive).map(p -> List.of(p.pid())).orElse(List.of());
    }

    @Override
    void crash(LocalProvider provider, ProviderNode node) throws Exception {
        List<Long> anchor = processesOf(provider, node);
        anchor.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        await().atMost(Duration.ofSeconds(10)).until(() -> processesOf(provider, node).isEmpty());
    }

    @Override
    Path hostKeyFile(LocalProvider provider, ProviderNode node) {
        return provider.hostDir(node.id()).resolve("ssh_host_ecdsa_key.pub");
    }

    /** Nothing answers at the hosts' addresses any more. */
    @Override
    void assertNothingElseLeft(List<ProviderNode> released) {
        for (ProviderNode n : released) {
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(n.address(), n.sshPort()), 1000);
                }
            }).isInstanceOf(ConnectException.class);
        }
        assertThat(released).isNotEmpty();
    }
}
