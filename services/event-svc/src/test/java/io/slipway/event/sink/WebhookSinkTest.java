package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.event.TestReceiver;
import io.slipway.event.TestReceiver.Answer;
import io.slipway.event.TestReceiver.Request;
import io.slipway.events.kube.KubeEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The webhook sink: templated body and headers, and an HMAC signature the receiver can verify over the raw body. */
class WebhookSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A receiver that verifies X-Slipway-Signature = sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)). */
    private static Answer verify(Request r) {
        String timestamp = r.header("X-Slipway-Timestamp");
        String signature = r.header("X-Slipway-Signature");
        if (timestamp == null || signature == null || Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) > 300) {
            return new Answer(401, "unsigned or stale", Map.of());
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("hook-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
            return expected.equals(signature) ? new Answer(202, "", Map.of()) : new Answer(401, "bad signature", Map.of());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void signedTemplatedBodyAndHeaders() throws Exception {
        try (TestReceiver hook = TestReceiver.start(WebhookSinkTest::verify);
             SinkHarness h = new SinkHarness("""
                     route: {match: [{receiver: signed}, {receiver: forged}, {receiver: text}]}
                     receivers:
                       - name: signed
                         webhook:
                           url: '%1$s'
                           secret: hook-secret
                           headers: {X-Team: '{{ index .InvolvedObject.Labels "team" }}'}
                           layout:
                             alert: '{{ .Reason }}'
                             object: '{{ .InvolvedObject.Kind }}/{{ .Namespace }}/{{ .InvolvedObject.Name }}'
                             message: '{{ .Message }}'
                             labels: '{{ toJson .InvolvedObject.Labels }}'
                       - name: forged
                         webhook: {url: '%1$s', secret: guessed}
                       - name: text
                         webhook: {url: '%1$s', secret: hook-secret, method: PUT, body: '{{ .Type }} {{ .Reason }} x{{ .Count }}'}
                     """.formatted(hook.url("/events")))) {
            KubeEvent event = warning("OOMKilling").setMessage("Memory cgroup out of memory: \"java\"\nkilled").setCount(4)
                    .setInvolvedLabels(Map.of("team", "payments")).build();
            h.publish(event);

            await().atMost(Duration.ofSeconds(20)).until(() -> h.counters("signed").delivered() == 1 && h.counters("text").delivered() == 1
                    && h.counters("forged").deadLettered() == 1);
            Request signed = hook.requests().stream().filter(r -> "payments".equals(r.header("X-Team"))).findFirst().orElseThrow();
            assertThat(signed.method()).isEqualTo("POST");
            assertThat(signed.header("Content-Type")).startsWith("application/json");
            assertThat(signed.header("Idempotency-Key")).isEqualTo(event.getUid() + "-4");
            JsonNode body = JSON.readTree(signed.body());
            assertThat(body.path("alert").asText()).isEqualTo("OOMKilling");
            assertThat(body.path("object").asText()).isEqualTo("Pod/default/web-1");
            assertThat(body.path("message").asText()).isEqualTo("Memory cgroup out of memory: \"java\"\nkilled");
            assertThat(JSON.readTree(body.path("labels").asText()).path("team").asText()).isEqualTo("payments");
            Request text = hook.requests().stream().filter(r -> r.method().equals("PUT")).findFirst().orElseThrow();
            assertThat(text.body()).isEqualTo("Warning OOMKilling x4");
            assertThat(io.slipway.testkit.KafkaTopics.header(h.deadLetters("forged").get(0), "dead-letter-reason"))
                    .contains("HTTP 401: bad signature");
        }
    }
}
