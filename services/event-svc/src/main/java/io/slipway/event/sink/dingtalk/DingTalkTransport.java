package io.slipway.event.sink.dingtalk;

import io.slipway.outbound.OutboundPolicy;
import io.slipway.event.route.Target;
import io.slipway.event.sink.ChatContent;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.HttpTransport;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DingTalk group robot (custom robot webhook). With a signing secret, each request carries {@code timestamp}
 * (milliseconds) and {@code sign} = Base64(HmacSHA256(secret, timestamp + "\n" + secret)), URL-encoded, as
 * DingTalk's documentation prescribes. Success is what the body says, not the HTTP status: {@code errcode} 0.
 * 130101 (and 410100) mean "sending too fast" and are retried later; 310000 (signature, keyword or IP not allowed) and
 * other codes are refused for good; -1 (system busy) is retried. @mentions go in {@code at}, and the mobiles are
 * also written into the text, where DingTalk needs them to highlight the mention.
 */
public final class DingTalkTransport extends HttpTransport {
    /** DingTalk accepts about 20000 bytes of message text. */
    static final int MAX_BYTES = 18_000;

    private static final List<VerdictFields> ERRCODE = List.of(new VerdictFields("errcode", "errmsg"));

    private final Target.DingTalk target;

    public DingTalkTransport(Target.DingTalk target, Duration timeout, OutboundPolicy outbound, String receiver) {
        super(timeout, outbound, receiver);
        this.target = target;
    }

    @Override
    public List<Outcome> send(Notification n) throws Exception {
        return postToRobot("DingTalk", "an errcode", signedUri(System.currentTimeMillis()), body(n), ERRCODE, v -> switch (v.code()) {
            case 0 -> Outcome.DELIVERED;
            case 130101, 410100 -> Outcome.retry("DingTalk rate limit (errcode " + v.code() + "): " + v.message());
            case -1 -> Outcome.retry("DingTalk busy (errcode -1): " + v.message());
            case 310000 -> Outcome.rejected("DingTalk refused the message (errcode 310000: signature, keyword or IP not allowed): "
                    + v.message());
            default -> Outcome.rejected("DingTalk errcode " + v.code() + ": " + v.message());
        });
    }

    URI signedUri(long timestampMillis) {
        if (target.secret() == null || target.secret().isEmpty()) {
            return URI.create(target.url());
        }
        String sign = sign(timestampMillis, target.secret());
        return URI.create(target.url() + (target.url().contains("?") ? "&" : "?") + "timestamp=" + timestampMillis + "&sign="
                + URLEncoder.encode(sign, StandardCharsets.UTF_8));
    }

    /** Base64(HmacSHA256 keyed with the secret over "timestamp\nsecret"), before URL encoding. */
    public static String sign(long timestampMillis, String secret) {
        byte[] mac = ChatContent.hmacSha256(secret.getBytes(StandardCharsets.UTF_8),
                (timestampMillis + "\n" + secret).getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac);
    }

    private Map<String, Object> body(Notification n) {
        String text = mentions(ChatContent.text(n, target.text(), target.markdown(), MAX_BYTES));
        Map<String, Object> body = new LinkedHashMap<>();
        if (target.markdown()) {
            body.put("msgtype", "markdown");
            body.put("markdown", Map.of("title", ChatContent.title(n, target.title()), "text", text));
        } else {
            body.put("msgtype", "text");
            body.put("text", Map.of("content", text));
        }
        Map<String, Object> at = new LinkedHashMap<>();
        at.put("atMobiles", target.atMobiles());
        at.put("atUserIds", target.atUserIds());
        at.put("isAtAll", target.atAll());
        body.put("at", at);
        return body;
    }

    private String mentions(String text) {
        List<String> missing = new ArrayList<>();
        for (String who : concat(target.atMobiles(), target.atUserIds())) {
            if (!text.contains("@" + who)) {
                missing.add("@" + who);
            }
        }
        return missing.isEmpty() ? text : text + "\n" + String.join(" ", missing);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
