package io.slipway.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a name that answers an allowed address when checked and a denied one when connected to. The client
 * connects only to what the policy's own resolution admitted, so the second answer is refused, not connected to.
 * {@code rebind.test} exists only in the test's resolver (the system cannot resolve it), which also shows the client
 * never resolves a name by itself.
 */
class OutboundHttpTest {
    private HttpServer allowed;
    private HttpServer internal;
    private final AtomicInteger allowedHits = new AtomicInteger();
    private final AtomicInteger internalHits = new AtomicInteger();

    @BeforeEach
    void servers() throws Exception {
        allowed = server("127.0.0.2", allowedHits, 0);
        internal = server("127.0.0.1", internalHits, allowed.getAddress().getPort());
    }

    private static HttpServer server(String ip, AtomicInteger hits, int port) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(ip, port), 0);
        s.createContext("/", x -> {
            hits.incrementAndGet();
            byte[] body = ("host " + x.getRequestHeaders().getFirst("Host")).getBytes();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.start();
        return s;
    }

    @AfterEach
    void stop() {
        allowed.stop(0);
        internal.stop(0);
    }

    @Test
    void aNameThatMovesToADeniedAddressAfterItsCheckIsNotConnectedTo() throws Exception {
        List<String> answers = new CopyOnWriteArrayList<>(List.of("127.0.0.2", "127.0.0.1"));
        OutboundPolicy policy = OutboundPolicy.allowing("127.0.0.2/32", host -> host.equals("rebind.test")
                ? new InetAddress[]{InetAddress.getByName(answers.size() > 1 ? answers.remove(0) : answers.get(0))}
                : InetAddress.getAllByName(host));
        URI uri = URI.create("http://rebind.test:" + allowed.getAddress().getPort() + "/hook");

        policy.check(uri, "receiver ops", false); // the first answer passes, as a check before sending would
        try (CloseableHttpClient client = OutboundHttp.client(policy, "receiver ops", Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> client.execute(ClassicRequestBuilder.get(uri).build(), r -> r.getCode()))
                    .isInstanceOf(OutboundPolicy.Refused.class).hasMessageContaining("receiver ops")
                    .hasMessageContaining("127.0.0.1").hasMessageContaining("loopback");
        }
        assertThat(internalHits).as("the internal address got nothing").hasValue(0);
        assertThat(allowedHits).hasValue(0);
    }

    @Test
    void theAddressCheckedIsTheAddressConnectedToAndTheNameStaysTheHost() throws Exception {
        OutboundPolicy policy = OutboundPolicy.allowing("127.0.0.2/32", host -> host.equals("rebind.test")
                ? new InetAddress[]{InetAddress.getByName("127.0.0.2")} : InetAddress.getAllByName(host));
        int port = allowed.getAddress().getPort();
        try (CloseableHttpClient client = OutboundHttp.client(policy, "receiver ops", Duration.ofSeconds(5))) {
            String body = client.execute(ClassicRequestBuilder.get("http://rebind.test:" + port + "/").build(),
                    r -> new String(r.getEntity().getContent().readAllBytes()));
            assertThat(body).isEqualTo("host rebind.test:" + port);
        }
        assertThat(allowedHits).hasValue(1);
        assertThat(internalHits).hasValue(0);
    }
}
