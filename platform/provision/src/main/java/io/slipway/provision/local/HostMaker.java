package io.slipway.provision.local;

import io.slipway.provision.local.LocalState.HostRecord;
import java.io.IOException;
import java.util.Optional;

/** How a local provider's hosts are made: in network namespaces with OpenSSH (root), or embedded (no root). */
interface HostMaker {

    /** The port the hosts' SSH servers listen on. */
    int port();

    /** Claims the provider's address range (once; again after it was given back) and readies it; returns its number. */
    int network() throws IOException;

    /** The address of the host in {@code slot} (1..240) of range {@code net}. */
    String address(int net, int slot);

    /** Makes the host and starts its SSH server; a host a crash left half made is torn down first. */
    void start(HostRecord host) throws IOException;

    /** Empty when the host runs and its SSH server is up; else what is gone. */
    Optional<String> problem(HostRecord host);

    /** Tears the host down completely: its processes, namespaces, mounts, links, address, directory. */
    void destroy(HostRecord host);

    /** With no host left: gives the address range (and the bridge holding it) back. */
    void giveBackNetwork() throws IOException;
}
