package io.slipway.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.slipway.outbound.OutboundPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A registry chooses where its token realm is; the client goes there (with the user's credentials) only where the
 * outbound policy allows, and an insecure registry never gets a password unless it is on this machine.
 */
class TokenRealmPolicyTest {
    HttpServer registry;
    HttpServer tokens;
    volatile String realm;
    final List<String> tokenRequests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        tokens = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 0);
        tokens.createContext("/token", exchange -> {
            tokenRequests.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"token\":\"t-1\",\"expires_in\":300}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        tokens.start();
        registry = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        registry.createContext("/v2/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (!"Bearer t-1".equals(auth)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"test\"");
                exchange.sendResponseHeaders(401, -1);
            } else {
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.stop(0);
        tokens.stop(0);
    }

    RegistryConfig config(OutboundPolicy outbound) {
        return RegistryConfig.of("127.0.0.1:" + registry.getAddress().getPort()).withPlainHttp(true).withRetry(RetryPolicy.NONE)
                .withCredentials(new Credentials("ci", "Canary-Registry-Password-5")).withOutbound(outbound);
    }

    @Test
    void aRealmOutsideTheAllowanceIsNeverCalled() throws Exception {
        realm = "http://127.0.0.2:" + tokens.getAddress().getPort() + "/token";
        try (RegistryClient client = RegistryClient.open(config(OutboundPolicy.PUBLIC_ONLY))) {
            assertThatThrownBy(client::ping).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("token realm http://127.0.0.2").hasMessageContaining("loopback address, which is not allowed")
                    .hasMessageNotContaining("Canary-Registry-Password-5");
        }
        assertThat(tokenRequests).isEmpty();

        realm = "http://169.254.169.254/latest/meta-data/iam";
        try (RegistryClient client = RegistryClient.open(config(OutboundPolicy.allowing("loopback")))) {
            assertThatThrownBy(client::ping).hasMessageContaining("169.254.169.254 is a link-local address");
        }

        realm = "http://127.0.0.2:" + tokens.getAddress().getPort() + "/token";
        try (RegistryClient client = RegistryClient.open(config(OutboundPolicy.allowing("loopback")))) {
            client.ping();
        }
        assertThat(tokenRequests).hasSize(1).allMatch(a -> a.startsWith("Basic "));
    }

    @Test
    void aRealmWhoseNameMovesAfterItsCheckIsNotCalled() throws Exception {
        // checked as 127.0.0.2 (allowed), then, when connected to, answered as 127.0.0.1 (not allowed): DNS rebinding
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        OutboundPolicy policy = OutboundPolicy.allowing("127.0.0.2/32", host -> host.equals("realm.rebind.test")
                ? new InetAddress[] {InetAddress.getByName(lookups.getAndIncrement() == 0 ? "127.0.0.2" : "127.0.0.1")}
                : InetAddress.getAllByName(host));
        realm = "http://realm.rebind.test:" + tokens.getAddress().getPort() + "/token";
        try (RegistryClient client = RegistryClient.open(config(policy))) {
            assertThatThrownBy(client::ping).isInstanceOf(RegistryException.class).hasMessageContaining("127.0.0.1")
                    .hasMessageContaining("loopback address").hasMessageNotContaining("Canary-Registry-Password-5");
        }
        assertThat(lookups.get()).isEqualTo(2);
        assertThat(tokenRequests).isEmpty();
    }

    @Test
    void anInsecureRegistryElsewhereGetsNoPassword() {
        RegistryConfig remote = RegistryConfig.of("10.255.0.1:5000").withPlainHttp(true)
                .withCredentials(new Credentials("ci", "Canary-Registry-Password-5"));
        assertThatThrownBy(() -> RegistryClient.open(remote)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("credentials go over https only").hasMessageNotContaining("Canary-Registry-Password-5");
    }
}
