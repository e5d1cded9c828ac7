package io.slipway.provision.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * Key pairs in OpenSSH's files ({@code key}, 0600, and {@code key.pub}), made in the JVM: a machine without root may
 * lack ssh-keygen. ECDSA P-256, which every SSH client Slipway uses speaks (MINA without EdDSA support, OpenSSH).
 */
public final class SshKeys {
    private SshKeys() {
    }

    /** Makes the pair, atomically: a reader sees no private key or a whole one. */
    public static PublicKey generate(Path key, String comment) throws IOException {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK makes EC P-256 keys", e);
        }
        Path tmp = key.resolveSibling(key.getFileName() + ".new-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the private key " + key + ": " + e.getMessage(), e);
        }
        try (OutputStream out = Files.newOutputStream(Path.of(key + ".pub"))) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(pair.getPublic(), comment, out);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the public key " + key + ".pub: " + e.getMessage(), e);
        }
        Files.move(tmp, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return pair.getPublic();
    }

    /** The first key of an OpenSSH public key (or authorized_keys) file. */
    public static PublicKey readPublic(Path file) throws IOException {
        try {
            return AuthorizedKeyEntry.readAuthorizedKeys(file).get(0).resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
        } catch (GeneralSecurityException | IndexOutOfBoundsException e) {
            throw new IOException("no OpenSSH public key in " + file, e);
        }
    }
}
