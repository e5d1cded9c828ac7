package io.slipway.event.sink.slack;

import io.slipway.outbound.OutboundPolicy;
import io.slipway.event.route.Target;
import io.slipway.event.sink.ChatContent;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.HttpTransport;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Slack incoming webhook. Slack answers 200 "ok"; 429 with Retry-After (seconds) when messages come too fast, which
 * is waited out exactly; 400 (invalid_payload), 403, 404 and 410 (channel gone) are refused for good; 5xx retried.
 */
public final class SlackTransport extends HttpTransport {
    static final int MAX_BYTES = 35_000;

    private final Target.Slack target;

    public SlackTransport(Target.Slack target, Duration timeout, OutboundPolicy outbound, String receiver) {
        super(timeout, outbound, receiver);
        this.target = target;
    }

    @Override
    public List<Outcome> send(Notification n) throws Exception {
        Object body;
        if (target.layout() != null && !n.isDigest()) {
            body = target.layout().render(n.single().view());
        } else {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("text", ChatContent.text(n, target.text(), false, MAX_BYTES));
            if (target.channel() != null) {
                message.put("channel", target.channel());
            }
            if (target.username() != null) {
                message.put("username", target.username());
            }
            if (target.iconEmoji() != null) {
                message.put("icon_emoji", target.iconEmoji());
            }
            body = message;
        }
        return post(URI.create(target.url()), body);
    }
}
