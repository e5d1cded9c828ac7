package io.slipway.event.sink.wecom;

import io.slipway.outbound.OutboundPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.event.route.Target;
import io.slipway.event.sink.ChatContent;
import io.slipway.event.sink.HttpSend;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.HttpTransport;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WeCom (WeChat Work): a group robot webhook, or an application's message to users (kube-eventer's wechat sink:
 * access token from corp id and secret, cached until it expires or WeCom says it is invalid). Success is {@code
 * errcode} 0; 45009 (API frequency limit) and -1 (busy) are retried; an expired token is fetched again and retried;
 * other codes (93000: invalid webhook URL) are refused for good. Text messages are limited to 2048 bytes, markdown to
 * 4096.
 */
public final class WeComTransport extends HttpTransport {
    private static final List<VerdictFields> ERRCODE = List.of(new VerdictFields("errcode", "errmsg"));

    private final Target.WeCom target;
    private String token;
    private long tokenExpires;

    public WeComTransport(Target.WeCom target, Duration timeout, OutboundPolicy outbound, String receiver) {
        super(timeout, outbound, receiver);
        this.target = target;
    }

    @Override
    public List<Outcome> send(Notification n) throws Exception {
        String text = ChatContent.text(n, target.text(), target.markdown(), target.markdown() ? 4096 : 2048);
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("content", text);
        if (!target.markdown()) {
            content.put("mentioned_list", target.mentionedList());
            content.put("mentioned_mobile_list", target.mentionedMobiles());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        URI uri;
        if (target.app() != null) {
            String accessToken = token();
            if (accessToken == null) {
                return List.of(Outcome.retry("WeCom gave no access token"));
            }
            body.put("touser", target.app().toUser());
            body.put("agentid", target.app().agentId());
            uri = URI.create(target.app().apiBase() + "/cgi-bin/message/send?access_token=" + URLEncoder.encode(accessToken, StandardCharsets.UTF_8));
        } else {
            uri = URI.create(target.url());
        }
        String type = target.markdown() ? "markdown" : "text";
        body.put("msgtype", type);
        body.put(type, content);
        return postToRobot("WeCom", "an errcode", uri, body, ERRCODE, v -> switch (v.code()) {
            case 0 -> Outcome.DELIVERED;
            case 45009 -> Outcome.retry("WeCom rate limit (errcode 45009): " + v.message());
            case -1 -> Outcome.retry("WeCom busy (errcode -1): " + v.message());
            case 40014, 42001, 40001 -> {
                token = null;
                yield new Outcome.Retry("WeCom access token no longer valid (errcode " + v.code() + ")", Duration.ZERO);
            }
            default -> Outcome.rejected("WeCom errcode " + v.code() + ": " + v.message());
        });
    }

    private String token() throws Exception {
        if (token != null && System.currentTimeMillis() < tokenExpires) {
            return token;
        }
        Target.App app = target.app();
        URI uri = URI.create(app.apiBase() + "/cgi-bin/gettoken?corpid=" + URLEncoder.encode(app.corpId(), StandardCharsets.UTF_8)
                + "&corpsecret=" + URLEncoder.encode(app.corpSecret(), StandardCharsets.UTF_8));
        HttpSend.Response r = http.send("GET", uri, Map.of(), null);
        JsonNode json = r.json();
        if (!r.ok() || json == null || json.path("errcode").asInt(-1) != 0) {
            throw new IllegalStateException("WeCom token request failed: HTTP " + r.status() + " errcode "
                    + (json == null ? "?" : json.path("errcode").asText("?")));
        }
        token = json.path("access_token").asText(null);
        // renewed a minute early, so a token never expires between check and use
        tokenExpires = System.currentTimeMillis() + Math.max(0, json.path("expires_in").asLong(7200) - 60) * 1000;
        return token;
    }
}
