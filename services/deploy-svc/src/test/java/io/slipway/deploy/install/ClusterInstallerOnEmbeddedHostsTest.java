package io.slipway.deploy.install;

import io.slipway.testkit.hosts.HostFleet;

/** The installer against the embedded MINA SSHD hosts a machine without root tests with. */
class ClusterInstallerOnEmbeddedHostsTest extends ClusterInstallerContract {
    @Override
    HostFleet.Kind kind() {
        return HostFleet.Kind.EMBEDDED;
    }
}
