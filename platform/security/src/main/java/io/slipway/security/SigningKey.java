package io.slipway.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** An RSA key pair that signs Slipway tokens; kept as PEM files so a restarted stack keeps accepting old tokens. */
public final class SigningKey {
    public static final String PRIVATE_FILE = "jwt-private.pem";
    public static final String PUBLIC_FILE = "jwt-public.pem";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A fresh key pair held in memory only (tests). */
    public static SigningKey generate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair pair = gen.generateKeyPair();
            return new SigningKey(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available in this JDK", e);
        }
    }

    /** Loads the key pair from {@code dir}, creating it (private key readable by the owner only) when absent. */
    public static SigningKey loadOrCreate(Path dir) {
        Path priv = dir.resolve(PRIVATE_FILE);
        Path pub = dir.resolve(PUBLIC_FILE);
        try {
            if (Files.exists(priv) && Files.exists(pub)) {
                KeyFactory rsa = KeyFactory.getInstance("RSA");
                return new SigningKey(
                        rsa.generatePrivate(new PKCS8EncodedKeySpec(fromPem(Files.readString(priv)))),
                        rsa.generatePublic(new X509EncodedKeySpec(fromPem(Files.readString(pub)))));
            }
            SigningKey key = generate();
            Files.createDirectories(dir);
            Files.deleteIfExists(priv); // half a pair (a crash between the two files) is made again
            try {
                // made readable by the owner only before the key is in it, not narrowed afterwards
                Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(priv); // the data directory's own permissions apply
            }
            Files.writeString(priv, toPem("PRIVATE KEY", key.privateKey.getEncoded()));
            Files.writeString(pub, key.publicKeyPem());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the signing key in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the signing key in " + dir + " is not a valid RSA key pair", e);
        }
    }

    public String publicKeyPem() {
        return toPem("PUBLIC KEY", publicKey.getEncoded());
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    private static String toPem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static byte[] fromPem(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }
}
