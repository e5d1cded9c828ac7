package io.slipway.ssh;

import java.nio.file.Path;

/** How to log in: a password, a private key file, or a private key's PEM text. {@code toString} never shows a secret. */
public sealed interface SshAuth {

    record Password(String password) implements SshAuth {
        @Override
        public String toString() {
            return "password(******)";
        }
    }

    record PrivateKey(Path file, String passphrase) implements SshAuth {
        @Override
        public String toString() {
            return "key(" + file + (passphrase == null ? "" : ", passphrase ******") + ")";
        }
    }

    record PrivateKeyData(String pem, String passphrase) implements SshAuth {
        @Override
        public String toString() {
            return "key(inline ******)";
        }
    }

    /** The password sudo asks for, when the login is by password; null for keys. */
    default String sudoPassword() {
        return this instanceof Password p ? p.password() : null;
    }
}
