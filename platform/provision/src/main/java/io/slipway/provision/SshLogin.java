package io.slipway.provision;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How Slipway logs in to a provider's nodes: a user and either a private key file or a password. The secret itself
 * never appears in {@link #toString()}, logs, events or errors; only whether there is one.
 */
public record SshLogin(String user, Path privateKey, String password) {
    public SshLogin {
        Objects.requireNonNull(user, "user");
        if (privateKey == null && password == null) {
            throw new IllegalArgumentException("an SSH login needs a private key or a password");
        }
    }

    public static SshLogin key(String user, Path privateKey) {
        return new SshLogin(user, privateKey, null);
    }

    public static SshLogin password(String user, String password) {
        return new SshLogin(user, null, password);
    }

    @Override
    public String toString() {
        return "SshLogin[user=" + user + (privateKey != null ? ", key=" + privateKey : ", password=***") + "]";
    }
}
