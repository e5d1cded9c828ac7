package io.slipway.testkit.provision;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.provision.NodeState;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.ssh.SshProbe;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The readiness probe answers a host key only once an SSH server completed a key exchange; until then (nothing
 * listens, something that is not SSH yet, no address) it answers empty, within its timeout. That it answers the host's
 * real key is checked against real hosts in the local provider's tests.
 */
class SshProbeTest {
    private static final Duration TIMEOUT = Duration.ofMillis(700);

    private static ProviderNode node(String address, int port) {
        return new ProviderNode("n1", "pool", "node", "t", 0, NodeState.RUNNING, address, port, Instant.now(), null);
    }

    @Test
    void answersEmptyWhenNothingListensOrTheNodeHasNoAddressYet() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (SshProbe probe = new SshProbe(TIMEOUT)) {
            assertThat(probe.hostKey(node("127.0.0.1", closed))).isEmpty();
            assertThat(probe.hostKey(node(null, 22))).isEmpty();
        }
    }

    @Test
    void answersEmptyWithinItsTimeoutWhenWhatListensDoesNotSpeakSsh() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             SshProbe probe = new SshProbe(TIMEOUT)) {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                        out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        s.getInputStream().read();
                    } catch (Exception closed) {
                        // the test is over
                    }
                }
            });
            long t0 = System.nanoTime();
            assertThat(probe.hostKey(node("127.0.0.1", server.getLocalPort()))).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.multipliedBy(4));
        }
    }
}
