package io.slipway.testkit.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Namespace hosts: real OpenSSH servers in network namespaces, with real accounts and sudo. */
class NamespaceHostsTest extends HostFleetContract {
    @Override
    HostFleet.Kind kind() {
        return HostFleet.Kind.NAMESPACES;
    }

    @Override
    void assertNothingElseLeft(HostFleet closed, List<TestHost> itsHosts) throws Exception {
        String namespaces = run(List.of("ip", "netns", "list"));
        String links = run(List.of("ip", "-o", "link", "show"));
        assertThat(links).doesNotContain(((NamespaceFleet) closed).bridge());
        for (TestHost h : itsHosts) {
            assertThat(namespaces).doesNotContain(h.name());
            assertThat(links).doesNotContain(((NamespaceHost) h).veth());
        }
    }

    @Test
    void sessionsRunAsTheRealAccountAndEachHostHasItsOwnNetwork() throws Exception {
        TestHost h = fleet.hosts().get(0);
        assertThat(ssh(fleet, fleet.operatorUser(), h, "id -un").strip()).isEqualTo(fleet.operatorUser());
        assertThat(ssh(fleet, "root", h, "hostname -I")).contains(h.address());
        assertThat(fleet.isolatesNetworks()).isTrue();
    }
}
