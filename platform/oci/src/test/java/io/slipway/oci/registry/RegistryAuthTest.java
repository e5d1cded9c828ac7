package io.slipway.oci.registry;

import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Authentication and TLS against real registries: htpasswd basic auth over TLS with a generated CA, and the
 * distribution token flow (Bearer challenge, token endpoint with basic credentials, JWT the registry verifies).
 */
class RegistryAuthTest {

    private static final String USER = "builder";
    private static final String PASSWORD = "s3cret-Pa55";
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(50));

    @TempDir
    static Path dir;
    static EmbeddedRegistry basicTls;
    static EmbeddedRegistry token;

    @BeforeAll
    static void start() {
        basicTls = EmbeddedRegistry.builder(dir.resolve("basic")).tls().basicAuth(USER, PASSWORD).start();
        token = EmbeddedRegistry.builder(dir.resolve("token")).tokenAuth(USER, PASSWORD).start();
    }

    @AfterAll
    static void stop() {
        basicTls.stop();
        token.stop();
    }

    private static RegistryConfig tls() {
        return RegistryConfig.of(basicTls.host()).withCaFile(basicTls.caCertificate()).withRetry(FAST);
    }

    @Test
    void basicAuthOverTlsWithTheGeneratedCaPushesAndPulls(@TempDir Path tmp) throws Exception {
        ImageStore store = ImageStore.open(tmp.resolve("s"));
        Descriptor image = new TestImages(store, 11).image("i", Platform.parse("linux/amd64"), 2, 10_000);
        try (Registries registries = Registries.of(tls().withCredentials(new Credentials(USER, PASSWORD)))) {
            registries.client(basicTls.host()).ping();
            ImageTransfer transfer = new ImageTransfer(registries, 2);
            Reference ref = Reference.parse(basicTls.host() + "/secure/app:1");
            transfer.push(store, "i", ref, TransferListener.NONE);
            ImageStore back = ImageStore.open(tmp.resolve("back"));
            assertThat(transfer.pull(ref, back, "i", Set.of(), TransferListener.NONE).root().digest()).isEqualTo(image.digest());
        }
    }

    @Test
    void wrongPasswordIsDeniedWithAClearErrorThatHidesThePassword() throws Exception {
        try (RegistryClient client = RegistryClient.open(tls().withCredentials(new Credentials(USER, "wrong-" + PASSWORD)))) {
            assertThatThrownBy(() -> client.blobSize("secure/app", io.slipway.oci.Digest.of(new byte[0])))
                    .isInstanceOfSatisfying(RegistryException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.isTransient()).isFalse();
                        assertThat(e.registry()).isEqualTo(basicTls.host());
                        assertThat(e.repository()).isEqualTo("secure/app");
                    })
                    .hasMessageContaining("check blob")
                    .hasMessageContaining("as user " + USER)
                    .hasMessageNotContaining(PASSWORD);
        }
        try (RegistryClient anonymous = RegistryClient.open(tls())) {
            assertThatThrownBy(anonymous::ping).hasMessageContaining("HTTP 401").hasMessageContaining("anonymously");
        }
    }

    @Test
    void tlsWithoutTheCaFailsClearlyAndSkipVerifyConnects() throws Exception {
        Credentials creds = new Credentials(USER, PASSWORD);
        try (RegistryClient untrusted = RegistryClient.open(RegistryConfig.of(basicTls.host()).withCredentials(creds).withRetry(FAST))) {
            assertThatThrownBy(untrusted::ping).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.isTransient()).isFalse()).hasMessageContaining("TLS failed");
        }
        try (RegistryClient skip = RegistryClient.open(RegistryConfig.of(basicTls.host()).withCredentials(creds).withSkipTlsVerify(true))) {
            skip.ping();
        }
        try (RegistryClient plain = RegistryClient.open(RegistryConfig.of(basicTls.host()).withPlainHttp(true)
                .withCredentials(creds).withRetry(FAST))) {
            assertThatThrownBy(plain::ping).isInstanceOf(RegistryException.class).hasMessageContaining("HTTP 400");
        }
    }

    @Test
    void bearerTokenFlowGrantsPushAndPullAndCachesTokensPerScope(@TempDir Path tmp) throws Exception {
        ImageStore store = ImageStore.open(tmp.resolve("s"));
        Descriptor image = new TestImages(store, 12).image("i", Platform.parse("linux/arm64"), 3, 20_000);
        int issuedBefore = token.tokensIssued();
        try (Registries registries = Registries.of(RegistryConfig.of(token.host()).withPlainHttp(true)
                .withCredentials(new Credentials(USER, PASSWORD)))) {
            ImageTransfer transfer = new ImageTransfer(registries, 3);
            Reference ref = Reference.parse(token.host() + "/tokens/app:7");
            transfer.push(store, "i", ref, TransferListener.NONE);
            ImageStore back = ImageStore.open(tmp.resolve("back"));
            assertThat(transfer.pull(ref, back, "i", Set.of(), TransferListener.NONE).root().digest()).isEqualTo(image.digest());
            long fetched = registries.client(token.host()).stats().snapshot().tokensFetched();
            // one token for push (pull,push) and one for pull, however many blobs moved
            assertThat(fetched).isBetween(1L, 3L);
            assertThat(token.tokensIssued() - issuedBefore).isEqualTo((int) fetched);
        }
    }

    @Test
    void bearerTokenFlowRefusesBadCredentialsAndAnonymousPush(@TempDir Path tmp) throws Exception {
        try (RegistryClient bad = RegistryClient.open(RegistryConfig.of(token.host()).withPlainHttp(true).withRetry(FAST)
                .withCredentials(new Credentials(USER, "nope-" + PASSWORD)))) {
            assertThatThrownBy(() -> bad.listTags("tokens/app"))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(401))
                    .hasMessageContaining("token endpoint refused as user " + USER)
                    .hasMessageNotContaining("nope-");
        }
        ImageStore store = ImageStore.open(tmp);
        new TestImages(store, 13).image("i", Platform.parse("linux/amd64"), 1, 100);
        try (Registries anonymous = Registries.of(RegistryConfig.of(token.host()).withPlainHttp(true).withRetry(FAST))) {
            assertThatThrownBy(() -> new ImageTransfer(anonymous, 1).push(store, "i",
                    Reference.parse(token.host() + "/tokens/anon:1"), TransferListener.NONE))
                    .isInstanceOf(RegistryException.class).hasMessageContaining("HTTP 401").hasMessageContaining("anonymously");
        }
    }

    @Test
    void storedLoginIsUsedForTheRegistry(@TempDir Path tmp) throws Exception {
        CredentialStore logins = CredentialStore.in(tmp);
        logins.login(token.host(), new Credentials(USER, PASSWORD));
        try (Registries registries = Registries.builder().credentialStore(logins)
                .config(RegistryConfig.of(token.host()).withPlainHttp(true)).build()) {
            assertThat(registries.config(token.host()).credentials().username()).isEqualTo(USER);
            registries.client(token.host()).ping();
        }
    }
}
