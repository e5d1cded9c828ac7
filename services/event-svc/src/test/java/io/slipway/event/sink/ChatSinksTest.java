package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.event.TestReceiver;
import io.slipway.event.TestReceiver.Answer;
import io.slipway.event.TestReceiver.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lark/Feishu, WeCom and Slack sinks against local endpoints that check their documented contracts. */
class ChatSinksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lark's bot: timestamp in seconds within an hour, sign = Base64(HmacSHA256 keyed with "timestamp\nsecret" over nothing). */
    private static Answer lark(Request r, String secret) {
        JsonNode body = json(r.body());
        String timestamp = body.path("timestamp").asText(null);
        String sign = body.path("sign").asText(null);
        if (timestamp == null || sign == null || Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) > 3600) {
            return Answer.json(200, "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour from current time\"}");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec((timestamp + "\n" + secret).getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            if (!Base64.getEncoder().encodeToString(mac.doFinal(new byte[0])).equals(sign)) {
                return Answer.json(200, "{\"code\":19021,\"msg\":\"sign match fail\"}");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Answer.json(200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}");
    }

    @Test
    void larkMessagesAreSignedAsLarkChecks() {
        TestReceiver bot = closeLater(TestReceiver.start(r -> lark(r, "lark-secret")));
        SinkHarness h = closeLater(new SinkHarness("""
                route: {match: [{receiver: lark-text}, {receiver: lark-card}, {receiver: lark-bad}]}
                receivers:
                  - name: lark-text
                    lark: {url: '%1$s', secret: lark-secret, atUserIds: [ou_123]}
                  - name: lark-card
                    feishu: {url: '%1$s', secret: lark-secret, msgType: interactive, title: 'Alarm {{ .Reason }}'}
                  - name: lark-bad
                    lark: {url: '%1$s', secret: not-it}
                """.formatted(bot.url("/open-apis/bot/v2/hook/abc"))));

        h.publish(warning("Unhealthy").setMessage("Readiness probe failed").build());

        await().atMost(Duration.ofSeconds(20)).until(() -> h.counters("lark-text").delivered() == 1 && h.counters("lark-card").delivered() == 1
                && h.counters("lark-bad").deadLettered() == 1);
        List<JsonNode> bodies = bot.requests().stream().map(r -> json(r.body())).toList();
        JsonNode text = bodies.stream().filter(b -> b.path("msg_type").asText().equals("text")
                && b.path("content").path("text").asText().contains("ou_123")).findFirst().orElseThrow();
        assertThat(text.path("content").path("text").asText()).contains("Unhealthy", "Readiness probe failed", "<at user_id=\"ou_123\"></at>");
        JsonNode card = bodies.stream().filter(b -> b.path("msg_type").asText().equals("interactive")).findFirst().orElseThrow();
        assertThat(card.path("card").path("header").path("title").path("content").asText()).isEqualTo("Alarm Unhealthy");
        assertThat(card.path("card").path("elements").get(0).path("content").asText()).contains("Readiness probe failed");
        assertThat(io.slipway.testkit.KafkaTopics.header(h.deadLetters("lark-bad").get(0), "dead-letter-reason")).contains("19021");
    }

    @Test
    void weComRobotMessagesAndItsFrequencyLimit() {
        AtomicInteger limited = new AtomicInteger(1);
        TestReceiver wecom = closeLater(TestReceiver.start(r -> {
            if (!"robot-key".equals(r.query().get("key"))) {
                return Answer.json(200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}");
            }
            if (limited.getAndDecrement() > 0) {
                return Answer.json(200, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}");
            }
            return Answer.json(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
        }));
        SinkHarness h = closeLater(new SinkHarness("""
                route: {match: [{receiver: wecom}]}
                receivers:
                  - name: wecom
                    wecom: {url: '%s', mentionedMobileList: ['13900000000'], text: '{{ .Reason }}: {{ .Message }}'}
                    retry: {initialBackoff: 100ms, maxBackoff: 200ms}
                """.formatted(wecom.url("/cgi-bin/webhook/send?key=robot-key"))));

        h.publish(warning("Evicted").setMessage("The node was low on resource: memory.").build());

        await().atMost(Duration.ofSeconds(20)).until(() -> h.counters("wecom").delivered() == 1);
        assertThat(wecom.requests()).hasSize(2);
        JsonNode body = json(wecom.requests().get(1).body());
        assertThat(body.path("msgtype").asText()).isEqualTo("text");
        assertThat(body.path("text").path("content").asText()).isEqualTo("Evicted: The node was low on resource: memory.");
        assertThat(body.path("text").path("mentioned_mobile_list").get(0).asText()).isEqualTo("13900000000");
        assertThat(h.counters("wecom").retried()).isEqualTo(1);
    }

    @Test
    void weComApplicationMessagesFetchAndRenewTheirToken() {
        AtomicInteger tokens = new AtomicInteger();
        AtomicInteger expireOnce = new AtomicInteger(1);
        TestReceiver wecom = closeLater(TestReceiver.start(r -> {
            if (r.path().equals("/cgi-bin/gettoken")) {
                if (!"corp".equals(r.query().get("corpid")) || !"corp-secret".equals(r.query().get("corpsecret"))) {
                    return Answer.json(200, "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}");
                }
                return Answer.json(200, "{\"errcode\":0,\"access_token\":\"t" + tokens.incrementAndGet() + "\",\"expires_in\":7200}");
            }
            if (!("t" + tokens.get()).equals(r.query().get("access_token"))) {
                return Answer.json(200, "{\"errcode\":40014,\"errmsg\":\"invalid access_token\"}");
            }
            if (expireOnce.getAndDecrement() > 0) {
                return Answer.json(200, "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}");
            }
            return Answer.json(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
        }));
        SinkHarness local = closeLater(new SinkHarness("""
                route: {match: [{receiver: app}]}
                receivers:
                  - name: app
                    wecom: {app: {apiBase: '%s', corpId: corp, corpSecret: corp-secret, agentId: 1000012, toUser: 'ann|bob'}}
                    retry: {initialBackoff: 100ms, maxBackoff: 200ms}
                """.formatted(wecom.url(""))));

        local.publish(warning("NodeNotReady").build());

        await().atMost(Duration.ofSeconds(20)).until(() -> local.counters("app").delivered() == 1);
        assertThat(tokens.get()).as("a second token after the first expired").isEqualTo(2);
        Request sent = wecom.requests().stream().filter(r -> r.path().equals("/cgi-bin/message/send")).reduce((a, b) -> b).orElseThrow();
        JsonNode body = json(sent.body());
        assertThat(body.path("touser").asText()).isEqualTo("ann|bob");
        assertThat(body.path("agentid").asInt()).isEqualTo(1000012);
        assertThat(body.path("text").path("content").asText()).contains("NodeNotReady");
    }

    @Test
    void slackRateLimitIsWaitedOutAsRetryAfterSays() {
        AtomicInteger throttled = new AtomicInteger(1);
        TestReceiver slack = closeLater(TestReceiver.start(r -> throttled.getAndDecrement() > 0
                ? new Answer(429, "rate_limited", Map.of("Retry-After", "1"))
                : new Answer(200, "ok", Map.of())));
        SinkHarness h = closeLater(new SinkHarness("""
                route: {match: [{receiver: slack}]}
                receivers:
                  - name: slack
                    slack: {url: '%s', channel: '#alerts', username: slipway}
                    retry: {initialBackoff: 10ms, maxBackoff: 20ms}
                """.formatted(slack.url("/services/T000/B000/XXXX"))));

        h.publish(warning("FailedMount").setMessage("MountVolume.SetUp failed").build());

        await().atMost(Duration.ofSeconds(20)).until(() -> h.counters("slack").delivered() == 1);
        List<Request> requests = slack.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).receivedAt() - requests.get(0).receivedAt()).as("Retry-After: 1 honoured, not the 10 ms backoff")
                .isGreaterThanOrEqualTo(1000);
        JsonNode body = json(requests.get(1).body());
        assertThat(body.path("text").asText()).contains("FailedMount", "MountVolume.SetUp failed");
        assertThat(body.path("channel").asText()).isEqualTo("#alerts");
        assertThat(body.path("username").asText()).isEqualTo("slipway");
    }
}
