package io.slipway.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A private key and its self-signed certificate as PEM files (what servers such as the registry read) plus the objects
 * (what Java signs or serves TLS with).
 */
public record SelfSignedKeyPair(Path certificate, Path key, PrivateKey privateKey, X509Certificate x509) {

    /**
     * Generates a 2048-bit RSA key and its certificate for {@code localhost} and {@code 127.0.0.1} (valid 30 days, a CA
     * of itself) with the JDK's keytool, in {@code dir} as {@code <name>.crt} and {@code <name>.key} (0600); keytool's
     * output goes to {@code log}.
     */
    public static SelfSignedKeyPair generate(Path dir, String name, Path log) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        Files.deleteIfExists(store);
        char[] storePass = EmbeddedRegistry.randomHex(12).toCharArray();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        // a short-lived tool: the JIT's first tier and a small heap start it fastest
        int code = Processes.run(List.of(keytool, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "30", "-dname", "CN=localhost,O=Slipway embedded " + name,
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "bc:c",
                "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(storePass), "-keypass", new String(storePass)), dir, log, Duration.ofSeconds(60));
        if (code != 0) {
            throw new IOException("keytool could not generate the " + name + " key pair (exit " + code + ")");
        }
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, storePass);
            PrivateKey key = (PrivateKey) ks.getKey(name, storePass);
            X509Certificate cert = (X509Certificate) ks.getCertificate(name);
            Path certPem = dir.resolve(name + ".crt");
            Path keyPem = dir.resolve(name + ".key");
            Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
            Files.setPosixFilePermissions(keyPem, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return new SelfSignedKeyPair(certPem, keyPem, key, cert);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read the generated " + name + " key pair: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(store);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
