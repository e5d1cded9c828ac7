package io.slipway.event.sink.lark;

import io.slipway.outbound.OutboundPolicy;
import io.slipway.event.route.Target;
import io.slipway.event.sink.ChatContent;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.HttpTransport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Lark/Feishu custom bot. With signature verification on, the body carries {@code timestamp} (seconds, as a string)
 * and {@code sign} = Base64(HmacSHA256 keyed with timestamp + "\n" + secret over an empty message), as Lark's
 * documentation prescribes. Success is {@code code} 0 (older bots: {@code StatusCode} 0); 9499 and 11232 are rate
 * limits and retried, 19021 (signature), 19022 (IP) and 19024 (keyword) and other codes are refused for good.
 */
public final class LarkTransport extends HttpTransport {
    static final int MAX_BYTES = 20_000;

    /** Newer bots answer code and msg, older ones StatusCode and StatusMessage. */
    private static final List<VerdictFields> CODE = List.of(new VerdictFields("code", "msg"), new VerdictFields("StatusCode", "StatusMessage"));

    private final Target.Lark target;

    public LarkTransport(Target.Lark target, Duration timeout, OutboundPolicy outbound, String receiver) {
        super(timeout, outbound, receiver);
        this.target = target;
    }

    @Override
    public List<Outcome> send(Notification n) throws Exception {
        return postToRobot("Lark", "a code", URI.create(target.url()), body(n, System.currentTimeMillis() / 1000), CODE, v -> switch (v.code()) {
            case 0 -> Outcome.DELIVERED;
            case 9499, 11232 -> Outcome.retry("Lark rate limit (code " + v.code() + "): " + v.message());
            case 19021, 19022, 19024 -> Outcome.rejected("Lark refused the message (code " + v.code() + ": signature, IP or keyword): "
                    + v.message());
            default -> Outcome.rejected("Lark code " + v.code() + ": " + v.message());
        });
    }

    /** Base64(HmacSHA256 keyed with "timestamp\nsecret" over nothing). */
    public static String sign(long timestampSeconds, String secret) {
        byte[] mac = ChatContent.hmacSha256((timestampSeconds + "\n" + secret).getBytes(StandardCharsets.UTF_8), new byte[0]);
        return Base64.getEncoder().encodeToString(mac);
    }

    private Map<String, Object> body(Notification n, long timestampSeconds) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (target.secret() != null && !target.secret().isEmpty()) {
            body.put("timestamp", String.valueOf(timestampSeconds));
            body.put("sign", sign(timestampSeconds, target.secret()));
        }
        String text = ChatContent.text(n, target.text(), target.card(), MAX_BYTES);
        if (target.card()) {
            StringBuilder md = new StringBuilder(text);
            target.atUserIds().forEach(id -> md.append(" <at id=").append(id).append("></at>"));
            if (target.atAll()) {
                md.append(" <at id=all></at>");
            }
            boolean warning = !n.isDigest() && "Warning".equals(n.single().event().getType());
            body.put("msg_type", "interactive");
            body.put("card", Map.of(
                    "config", Map.of("wide_screen_mode", true),
                    "header", Map.of("title", Map.of("tag", "plain_text", "content", ChatContent.title(n, target.title())),
                            "template", n.isDigest() || warning ? "red" : "blue"),
                    "elements", List.of(Map.of("tag", "markdown", "content", md.toString()))));
        } else {
            StringBuilder t = new StringBuilder(text);
            target.atUserIds().forEach(id -> t.append(" <at user_id=\"").append(id).append("\"></at>"));
            if (target.atAll()) {
                t.append(" <at user_id=\"all\"></at>");
            }
            body.put("msg_type", "text");
            body.put("content", Map.of("text", t.toString()));
        }
        return body;
    }
}
