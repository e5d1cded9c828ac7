package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.backbone.EventHeaders;
import io.slipway.event.TestReceiver;
import io.slipway.event.TestReceiver.Answer;
import io.slipway.event.TestReceiver.Request;
import io.slipway.events.kube.KubeEvent;
import io.slipway.testkit.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The DingTalk sink against a local robot endpoint that checks what DingTalk checks: the access token, the signature
 * (timestamp in ms within an hour, sign = Base64(HmacSHA256(secret, timestamp + "\n" + secret)), URL-encoded) and the
 * message, and answers in DingTalk's terms (errcode in an HTTP 200 body).
 */
class DingTalkSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "SEC0123456789abcdef";

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** DingTalk's robot: wrong token 300001, bad signature 310000, otherwise what {@code accept} says. */
    private static Answer robot(Request r, java.util.function.Function<Request, Integer> accept) {
        if (!r.query().getOrDefault("access_token", "").startsWith("tok")) {
            return errcode(300001, "token is not exist");
        }
        String timestamp = r.query().get("timestamp");
        String sign = r.query().get("sign");
        if (timestamp == null || sign == null || Math.abs(System.currentTimeMillis() - Long.parseLong(timestamp)) > 3_600_000
                || !sign.equals(expectedSign(timestamp))) {
            return errcode(310000, "sign not match");
        }
        JsonNode body = json(r.body());
        String type = body.path("msgtype").asText();
        if (!(type.equals("text") && body.path("text").has("content")) && !(type.equals("markdown") && body.path("markdown").has("text"))) {
            return errcode(40035, "missing parameter");
        }
        int code = accept.apply(r);
        return errcode(code, code == 0 ? "ok" : "refused");
    }

    private static String expectedSign(String timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((timestamp + "\n" + SECRET).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Answer errcode(int code, String message) {
        return Answer.json(200, "{\"errcode\":" + code + ",\"errmsg\":\"" + message + "\"}");
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    @Test
    void signedTextAndMarkdownWithMentionsAreDelivered() {
        TestReceiver ding = closeLater(TestReceiver.start(r -> robot(r, x -> 0)));
        SinkHarness h = closeLater(new SinkHarness("""
                route: {match: [{type: Warning, receiver: text}, {type: Warning, receiver: md}]}
                receivers:
                  - name: text
                    dingtalk: {url: '%s', secret: %s, atMobiles: ['13800000000'], atUserIds: [user42]}
                  - name: md
                    dingtalk: {url: '%s', secret: %s, msgType: markdown, title: '{{ .Reason }} in {{ .Namespace }}'}
                """.formatted(ding.url("/robot/send?access_token=tok-text"), SECRET, ding.url("/robot/send?access_token=tok-md"), SECRET)));

        h.publish(warning("BackOff").setNamespace("shop").setMessage("Back-off restarting failed container").build());

        await().atMost(Duration.ofSeconds(20)).until(() -> ding.requests().size() == 2);
        JsonNode text = requestFor(ding, "tok-text");
        assertThat(text.path("msgtype").asText()).isEqualTo("text");
        assertThat(text.path("text").path("content").asText()).contains("BackOff", "shop/web-1", "Back-off restarting failed container",
                "@13800000000", "@user42");
        assertThat(text.path("at").path("atMobiles").get(0).asText()).isEqualTo("13800000000");
        assertThat(text.path("at").path("atUserIds").get(0).asText()).isEqualTo("user42");
        JsonNode md = requestFor(ding, "tok-md");
        assertThat(md.path("msgtype").asText()).isEqualTo("markdown");
        assertThat(md.path("markdown").path("title").asText()).isEqualTo("BackOff in shop");
        assertThat(md.path("markdown").path("text").asText()).contains("### Warning: BackOff");
        assertThat(h.counters("text").delivered()).isEqualTo(1);
        assertThat(h.counters("md").delivered()).isEqualTo(1);
    }

    @Test
    void rateLimitedIsRetriedLaterAndARejectedSignatureGoesToTheDeadLetters() {
        AtomicInteger busy = new AtomicInteger(2);
        TestReceiver ding = closeLater(TestReceiver.start(r -> robot(r, x -> busy.getAndDecrement() > 0 ? 130101 : 0)));
        SinkHarness h = closeLater(new SinkHarness("""
                route: {match: [{receiver: busy}, {receiver: wrong-secret}]}
                receivers:
                  - name: busy
                    dingtalk: {url: '%s', secret: %s}
                    retry: {initialBackoff: 100ms, maxBackoff: 300ms}
                  - name: wrong-secret
                    dingtalk: {url: '%s', secret: SECnot-the-right-one}
                    retry: {initialBackoff: 100ms, maxBackoff: 300ms}
                """.formatted(ding.url("/robot/send?access_token=tok-busy"), SECRET, ding.url("/robot/send?access_token=tok-wrong"))));

        KubeEvent event = warning("FailedScheduling").build();
        h.publish(event);

        await().atMost(Duration.ofSeconds(20)).until(() -> h.counters("busy").delivered() == 1);
        assertThat(ding.requests().stream().filter(r -> r.query().get("access_token").equals("tok-busy"))).hasSize(3);
        assertThat(h.counters("busy").retried()).isEqualTo(2);
        assertThat(h.counters("busy").deadLettered()).isZero();

        await().atMost(Duration.ofSeconds(20)).until(() -> h.counters("wrong-secret").deadLettered() == 1);
        assertThat(ding.requests().stream().filter(r -> r.query().get("access_token").equals("tok-wrong")))
                .as("310000 is permanent: sent once, not retried").hasSize(1);
        List<ConsumerRecord<String, byte[]>> dead = h.deadLetters("wrong-secret");
        assertThat(dead).hasSize(1);
        ConsumerRecord<String, byte[]> letter = dead.get(0);
        assertThat(KafkaTopics.header(letter, EventHeaders.DLQ_REASON)).contains("310000");
        assertThat(KafkaTopics.header(letter, EventHeaders.DLQ_TOPIC)).isEqualTo(h.topic);
        assertThat(KafkaTopics.header(letter, EventHeaders.DLQ_PARTITION)).isNotNull();
        assertThat(KafkaTopics.header(letter, EventHeaders.DLQ_OFFSET)).isEqualTo("0");
        assertThat(KafkaTopics.header(letter, EventHeaders.DLQ_CONSUMER_GROUP)).isEqualTo("slipway-sink-wrong-secret");
        assertThat(letter.key()).isEqualTo(event.getInvolvedUid());
        assertThat(SinkHarness.decode(letter.value()).getUid()).isEqualTo(event.getUid());
        assertThat(h.deadLetters("busy")).isEmpty();
    }

    @Test
    void aBurstOf500WarningsStaysWithinTheRateLimitAndLosesNothing() {
        int limit = 10;
        long window = 2000;
        TestReceiver ding = closeLater(TestReceiver.start(r -> robot(r, x -> 0)));
        SinkHarness h = closeLater(new SinkHarness("""
                route: {match: [{type: Warning, receiver: oncall}]}
                receivers:
                  - name: oncall
                    dingtalk: {url: '%s', secret: %s}
                    rateLimit: {messages: %d, per: %dms}
                    digest: {lines: 20}
                """.formatted(ding.url("/robot/send?access_token=tok"), SECRET, limit, window)));

        List<KubeEvent> burst = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            burst.add(warning(i % 2 == 0 ? "BackOff" : "FailedMount").setNamespace("ns-" + (i % 5)).setInvolvedName("pod-" + i).build());
        }
        h.burst(burst);

        await().atMost(Duration.ofSeconds(60)).until(() -> eventsIn(ding.requests()) == 500);
        List<Request> messages = ding.requests();
        for (int i = 0; i + limit < messages.size(); i++) {
            assertThat(messages.get(i + limit).receivedAt() - messages.get(i).receivedAt())
                    .as("no %d messages within %d ms (messages %d..%d)", limit + 1, window, i, i + limit).isGreaterThanOrEqualTo(window);
        }
        long digests = messages.stream().filter(r -> digestCount(r) > 0).count();
        assertThat(digests).isPositive();
        assertThat(messages.size()).as("far fewer messages than events").isLessThan(60);
        Request firstDigest = messages.stream().filter(r -> digestCount(r) > 0).findFirst().orElseThrow();
        assertThat(content(firstDigest)).contains("Reasons: ", "BackOff", "FailedMount", "Namespaces: ", "First 20:", "more");
        assertThat(h.counters("oncall").delivered()).isEqualTo(500);
        assertThat(h.counters("oncall").digested()).isEqualTo(500 - (messages.size() - digests));
        assertThat(h.counters("oncall").deadLettered()).isZero();
    }

    private static final Pattern DIGEST = Pattern.compile("^(\\d+) Kubernetes events held back");

    private static int digestCount(Request r) {
        Matcher m = DIGEST.matcher(content(r));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String content(Request r) {
        return json(r.body()).path("text").path("content").asText();
    }

    /** Events the robot was told about: one per plain message, the stated count per digest. */
    private static int eventsIn(List<Request> requests) {
        return requests.stream().mapToInt(r -> {
            int d = digestCount(r);
            return d > 0 ? d : 1;
        }).sum();
    }

    private static JsonNode requestFor(TestReceiver receiver, String token) {
        return json(receiver.requests().stream().filter(r -> token.equals(r.query().get("access_token"))).findFirst().orElseThrow().body());
    }
}
