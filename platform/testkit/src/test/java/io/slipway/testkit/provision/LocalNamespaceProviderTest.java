package io.slipway.testkit.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slipway.provision.ProviderNode;
import io.slipway.provision.local.LocalProvider;
import io.slipway.provision.local.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Local hosts in network namespaces with OpenSSH (needs root, as the namespace test hosts do). */
class LocalNamespaceProviderTest extends LocalProviderContract {
    @Override
    LocalProvider.Mode mode() {
        return LocalProvider.Mode.NAMESPACES;
    }

    @Override
    List<Long> processesOf(LocalProvider provider, ProviderNode node) {
        return Netns.pids(node.id());
    }

    @Override
    void crash(LocalProvider provider, ProviderNode node) {
        Netns.pids(node.id()).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        await().atMost(Duration.ofSeconds(10)).until(() -> Netns.pids(node.id()).isEmpty());
    }

    /** The file sshd_config names. */
    @Override
    Path hostKeyFile(LocalProvider provider, ProviderNode node) throws Exception {
        Path config = provider.hostDir(node.id()).resolve("sshd_config");
        String keyFile = Files.readAllLines(config).stream().filter(l -> l.startsWith("HostKey ")).findFirst().orElseThrow()
                .substring("HostKey ".length()).strip();
        return Path.of(keyFile + ".pub");
    }

    @Override
    void assertNothingElseLeft(List<ProviderNode> released) throws Exception {
        String namespaces = run("ip", "netns", "list");
        String addresses = run("ip", "-o", "addr");
        for (ProviderNode n : released) {
            assertThat(namespaces).doesNotContain(n.id());
            assertThat(addresses).doesNotContain(n.address() + "/");
        }
        // the hosts' veths, and the provider's bridge once its last host is gone
        assertThat(run("ip", "-o", "link", "show")).doesNotContain("slwp");
    }
}
