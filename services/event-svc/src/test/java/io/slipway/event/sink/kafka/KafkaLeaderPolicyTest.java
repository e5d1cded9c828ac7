package io.slipway.event.sink.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.event.route.Target;
import io.slipway.event.sink.Notification;
import io.slipway.outbound.OutboundPolicy;
import io.slipway.testkit.SlipwayInfra;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Kafka receiver is checked by the brokers its cluster announces, not only by the bootstrap host it was given: here
 * the bootstrap host is a TCP relay on 127.0.0.2 (what the policy allows), and the cluster behind it announces its
 * broker on 127.0.0.1 (what the policy does not allow), as a public front for an internal cluster would.
 */
class KafkaLeaderPolicyTest {
    private ServerSocket relay;
    private final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void relay() throws IOException {
        String broker = SlipwayInfra.get().bootstrapServers().split(",")[0];
        int colon = broker.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(broker.substring(0, colon), Integer.parseInt(broker.substring(colon + 1)));
        relay = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"));
        Thread accept = new Thread(() -> {
            while (!relay.isClosed()) {
                try {
                    Socket in = relay.accept();
                    Socket out = new Socket(target.getAddress(), target.getPort());
                    open.add(in);
                    open.add(out);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException e) {
                    return;
                }
            }
        }, "kafka-relay");
        accept.setDaemon(true);
        accept.start();
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                i.transferTo(o);
            } catch (IOException e) {
                // one side closed
            }
        }, "kafka-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void close() throws IOException {
        relay.close();
        for (Socket s : open) {
            s.close();
        }
    }

    @Test
    void aLeaderTheClusterAnnouncesOnARefusedAddressGetsNothing() throws Exception {
        String bootstrap = "127.0.0.2:" + relay.getLocalPort();
        Target.Kafka target = new Target.Kafka(List.of(bootstrap), "leader-policy-" + System.nanoTime(), Map.of(), false, null);
        try (KafkaTransport onlyTheFront = new KafkaTransport(target, "leader-test", Duration.ofSeconds(20),
                OutboundPolicy.allowing("127.0.0.2/32"), "bus")) {
            assertThatThrownBy(() -> onlyTheFront.send(Notification.of(List.of())))
                    .isInstanceOf(OutboundPolicy.Refused.class)
                    .hasMessageContaining("receiver bus: broker 127.0.0.1, announced by the cluster")
                    .hasMessageContaining("loopback address");
        }
        // the same cluster, where the policy allows its brokers too, is reached
        try (KafkaTransport both = new KafkaTransport(target, "leader-test", Duration.ofSeconds(20), OutboundPolicy.allowing("loopback"), "bus")) {
            assertThat(both.send(Notification.of(List.of()))).isEmpty();
        }
    }
}
