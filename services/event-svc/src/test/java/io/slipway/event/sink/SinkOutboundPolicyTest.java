package io.slipway.event.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.slipway.outbound.OutboundPolicy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A receiver is reached only where the outbound policy allows; a refused HTTP request reaches nobody. */
class SinkOutboundPolicyTest {
    HttpServer server;
    final AtomicInteger received = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            received.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI url(String rest) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + rest);
    }

    @Test
    void aLoopbackReceiverIsRefusedUnlessAllowedAndNothingIsSent() throws Exception {
        HttpSend strict = new HttpSend(Duration.ofSeconds(5), OutboundPolicy.PUBLIC_ONLY, "ops-hook");
        assertThatThrownBy(() -> strict.postJson(url("/hook?access_token=Canary-Token-3"), Map.of("a", 1)))
                .isInstanceOf(OutboundPolicy.Refused.class)
                .hasMessageContaining("receiver ops-hook").hasMessageContaining("loopback address")
                .hasMessageNotContaining("Canary-Token-3");
        assertThat(received).hasValue(0);

        HttpSend local = new HttpSend(Duration.ofSeconds(5), OutboundPolicy.allowing("loopback"), "ops-hook");
        assertThat(local.postJson(url("/hook?access_token=t"), Map.of("a", 1)).status()).isEqualTo(204);
        assertThat(received).hasValue(1);
    }

    @Test
    void aReceiverWhoseNameMovesToARefusedAddressAfterTheCheckGetsNothing() throws Exception {
        // checked once before sending (127.0.0.2, allowed), then resolved again to connect (127.0.0.1, where the server is)
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        OutboundPolicy policy = OutboundPolicy.allowing("127.0.0.2/32", host -> new java.net.InetAddress[]{
                java.net.InetAddress.getByName(lookups.getAndIncrement() == 0 ? "127.0.0.2" : "127.0.0.1")});
        try (HttpSend send = new HttpSend(Duration.ofSeconds(5), policy, "ops-hook")) {
            assertThatThrownBy(() -> send.postJson(URI.create("http://hooks.rebind.test:" + server.getAddress().getPort() + "/hook"),
                    Map.of("a", 1))).isInstanceOf(OutboundPolicy.Refused.class).hasMessageContaining("127.0.0.1");
        }
        assertThat(lookups.get()).as("checked, then resolved by the policy to connect").isEqualTo(2);
        assertThat(received).hasValue(0);
    }

    @Test
    void postgresAndKafkaReceiversAreCheckedByTheirHosts() {
        assertThat(Transports.jdbcHosts("jdbc:postgresql://db1:5432,db2/events?ssl=true")).containsExactly("db1:5432", "db2");
        assertThatThrownBy(() -> Transports.reachable(OutboundPolicy.PUBLIC_ONLY, Transports.jdbcHosts("jdbc:postgresql://127.0.0.1:5432/x"), "audit"))
                .isInstanceOf(OutboundPolicy.Refused.class).hasMessageContaining("receiver audit").hasMessageContaining("loopback");
        assertThatThrownBy(() -> Transports.reachable(OutboundPolicy.PUBLIC_ONLY, java.util.List.of("10.1.2.3:9092"), "bus"))
                .hasMessageContaining("10.1.2.3 is a private address");
        Transports.reachable(OutboundPolicy.allowing("loopback, private"), java.util.List.of("[::1]:9092", "10.1.2.3:9092"), "bus");
    }
}
