package io.slipway.ssh;

import io.slipway.testkit.hosts.HostFleet;

/** The SSH engine against real OpenSSH servers, real accounts and sudo (network namespaces; needs root). */
class SshEngineOnNamespaceHostsTest extends SshEngineContract {
    @Override
    HostFleet.Kind kind() {
        return HostFleet.Kind.NAMESPACES;
    }
}
