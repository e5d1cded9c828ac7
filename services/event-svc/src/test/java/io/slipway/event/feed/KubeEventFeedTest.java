package io.slipway.event.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.backbone.EventHeaders;
import io.slipway.event.TestEvents;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Kubernetes events followed over Server-Sent Events: recent ones first, new ones as they are published. */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "event"))
class KubeEventFeedTest {
    private static final String TOPIC = "slipway.kube.events";
    private static final EventCodec CODEC = EventCodec.released();

    @TestHTTPResource("/api/v1/kube-events/stream")
    URI stream;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aViewerSeesARecentEventAndThenANewOne() throws Exception {
        String before = "Recent" + UUID.randomUUID().toString().substring(0, 8);
        publish(TestEvents.warning(before).build());

        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(stream).header("Authorization", TestTokens.bearer(Role.viewer))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> readLines(response.body(), lines));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.contains("\"reason\":\"" + before + "\"")));

            String after = "New" + UUID.randomUUID().toString().substring(0, 8);
            publish(TestEvents.normal(after).setCluster("prod-eu").build());
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.contains("\"reason\":\"" + after + "\"")));
            String line = lines.stream().filter(l -> l.contains(after)).findFirst().orElseThrow();
            assertThat(line).startsWith("data:").contains("\"cluster\":\"prod-eu\"", "\"type\":\"Normal\"", "\"kind\":\"Pod\"");
        } finally {
            response.body().close();
            reader.join(Duration.ofSeconds(10));
        }
    }

    @Test
    void withoutATokenTheStreamIsRefused() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(stream).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
    }

    private static void publish(KubeEvent e) {
        KafkaTopics.produce(TOPIC, e.getInvolvedUid(), CODEC.encode(e),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "KubeEvent"));
    }

    private static void readLines(InputStream body, List<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            // closed by the test
        }
    }
}
