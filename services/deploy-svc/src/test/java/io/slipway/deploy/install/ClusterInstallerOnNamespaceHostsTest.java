package io.slipway.deploy.install;

import io.slipway.testkit.hosts.HostFleet;

/** The installer against real OpenSSH servers in network namespaces (needs root). */
class ClusterInstallerOnNamespaceHostsTest extends ClusterInstallerContract {
    @Override
    HostFleet.Kind kind() {
        return HostFleet.Kind.NAMESPACES;
    }
}
