package io.slipway.oci.registry;

import com.sun.net.httpserver.HttpServer;
import io.slipway.embedded.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which faults are retried. A real registry cannot be made to answer 429 or 503 on demand, so a stub server stands in
 * front of the client here (named as such); everything else is tested against the real registry.
 */
class RetryTest {

    private static final RetryPolicy THREE = new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20));

    private HttpServer stub;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startStub() throws Exception {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getByName(Processes.LOOPBACK), 0), 8);
        stub.start();
    }

    @AfterEach
    void stopStub() {
        stub.stop(0);
    }

    private RegistryClient client() throws Exception {
        return RegistryClient.open(RegistryConfig.of(Processes.LOOPBACK + ":" + stub.getAddress().getPort())
                .withPlainHttp(true).withRetry(THREE));
    }

    /** Answers /v2/ with 200, and the tag list with the given statuses in turn (then 200 with one tag). */
    private void answers(int... statuses) {
        stub.createContext("/v2/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = "{}".getBytes();
            int status = 200;
            if (path.endsWith("/tags/list")) {
                int n = requests.getAndIncrement();
                status = n < statuses.length ? statuses[n] : 200;
                body = status == 200 ? "{\"name\":\"a/b\",\"tags\":[\"1\"]}".getBytes()
                        : ("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}").getBytes();
                if (status == 429) {
                    exchange.getResponseHeaders().add("Retry-After", "0");
                }
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    @Test
    void tooManyRequestsAndServerErrorsAreRetried() throws Exception {
        answers(429, 503);
        try (RegistryClient client = client()) {
            assertThat(client.listTags("a/b")).containsExactly("1");
        }
        assertThat(requests.get()).isEqualTo(3);
    }

    @Test
    void persistentServerErrorsGiveUpAfterTheLastAttempt() throws Exception {
        answers(503, 503, 503, 503, 503);
        try (RegistryClient client = client()) {
            assertThatThrownBy(() -> client.listTags("a/b")).isInstanceOfSatisfying(RegistryException.class, e -> {
                assertThat(e.isTransient()).isTrue();
                assertThat(e.status()).isEqualTo(503);
            }).hasMessageContaining("list tags (page 1) failed at registry " + Processes.LOOPBACK);
        }
        assertThat(requests.get()).isEqualTo(3);
    }

    @Test
    void clientErrorsAreNotRetried() throws Exception {
        answers(404);
        try (RegistryClient client = client()) {
            assertThatThrownBy(() -> client.listTags("a/b")).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.isTransient()).isFalse());
        }
        assertThat(requests.get()).isEqualTo(1);
    }

    @Test
    void aRegistryThatIsNotThereIsATransientConnectionFailure() throws Exception {
        int closed = Processes.freePort();
        try (RegistryClient client = RegistryClient.open(RegistryConfig.of(Processes.LOOPBACK + ":" + closed)
                .withPlainHttp(true).withRetry(THREE))) {
            assertThatThrownBy(client::ping).isInstanceOfSatisfying(RegistryException.class, e -> {
                assertThat(e.status()).isZero();
                assertThat(e.isTransient()).isTrue();
            }).hasMessageContaining("cannot connect to " + Processes.LOOPBACK + ":" + closed);
        }
    }
}
