package io.slipway.provision.staticpool;

import io.slipway.provision.SshLogin;
import java.util.Objects;

/**
 * One existing machine of a static pool.
 *
 * @param name    its node id: stable, unique in the pool (a host name, or the address)
 * @param address the address Slipway reaches it at
 * @param port    its SSH port
 * @param login   how Slipway logs in to it; null for the pool's login. Its secret never shows in {@link #toString()}.
 */
public record StaticHost(String name, String address, int port, SshLogin login) {
    public StaticHost {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        if (name.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("static host " + name + ": needs a name and a port in 1-65535, was " + port);
        }
    }

    /** A machine known by its address, on port 22, with the pool's login. */
    public static StaticHost at(String address) {
        return new StaticHost(address, address, 22, null);
    }
}
