package io.slipway.ssh;

import io.slipway.testkit.hosts.HostFleet;

/** The SSH engine against the test kit's embedded MINA SSHD hosts, what a machine without root tests with. */
class SshEngineOnEmbeddedHostsTest extends SshEngineContract {
    @Override
    HostFleet.Kind kind() {
        return HostFleet.Kind.EMBEDDED;
    }
}
