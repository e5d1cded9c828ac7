package io.slipway.workload.webhook;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Quarkus test resource: HTTPS for the webhooks as a cluster would have it. A self-signed certificate for 127.0.0.1
 * and localhost made at test start with the JDK's keytool (a PKCS12 key store for Quarkus, its certificate as the PEM
 * CA bundle, and a trust store holding it for the test's own HTTPS calls), Quarkus's HTTPS port, and the webhooks
 * registered at it. The test finds the trust store through the system property {@code slipwaytest.webhook.truststore}
 * and the address as {@code @TestHTTPResource(tls = true)}.
 */
public class WebhookTlsResource implements QuarkusTestResourceLifecycleManager {
    static final String PASSWORD = "webhook-test";
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("slipway-webhook-tls");
            Path keystore = dir.resolve("webhook.p12");
            Path ca = dir.resolve("ca.pem");
            Path truststore = dir.resolve("trust.p12");
            keytool("-genkeypair", "-alias", "webhook", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=workload-svc", "-ext", "san=ip:127.0.0.1,dns:localhost",
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            keytool("-exportcert", "-rfc", "-alias", "webhook", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                    "-file", ca.toString());
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.toString(), "-keystore", truststore.toString(),
                    "-storetype", "PKCS12", "-storepass", PASSWORD);
            // HTTPS on a random port, as HTTP is (Quarkus's metrics tag a server with its port only when it is fixed, and
            // Prometheus, whose registry outlives one test class's application, refuses a meter with two sets of tags);
            // a URL without a port registers the webhooks at the port HTTPS listens on.
            String url = "https://127.0.0.1";
            System.setProperty("slipwaytest.webhook.truststore", truststore.toString());
            return Map.of("quarkus.tls.key-store.p12.path", keystore.toString(), "quarkus.tls.key-store.p12.password", PASSWORD,
                    "quarkus.http.test-ssl-port", "0",
                    "slipway.workload.webhook.url", url,
                    "slipway.workload.webhook.ca-bundle-file", ca.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + new String(p.getInputStream().readAllBytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }

    @Override
    public void stop() {
        System.clearProperty("slipwaytest.webhook.truststore");
        if (dir != null) {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
            dir.toFile().delete();
        }
    }
}
