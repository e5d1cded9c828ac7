package io.slipway.event.sink.webhook;

import io.slipway.outbound.OutboundPolicy;
import io.slipway.event.route.EventView;
import io.slipway.event.route.Target;
import io.slipway.event.route.Template;
import io.slipway.event.sink.ChatContent;
import io.slipway.event.sink.HttpSend;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.SinkEvent;
import io.slipway.event.sink.HttpTransport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any HTTP endpoint: one request per event with templated headers and body (a JSON layout, a text template, or the
 * event document), and an {@code Idempotency-Key} of event uid + count so a receiver can drop a redelivery. With a
 * secret, {@code X-Slipway-Timestamp} carries the Unix time in seconds and {@code X-Slipway-Signature} carries
 * {@code sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>} (header names configurable): the receiver recomputes
 * it over the raw body and rejects stale timestamps. A digest is one JSON document with the summary and every event.
 */
public final class WebhookTransport extends HttpTransport {
    private final Target.Webhook target;

    public WebhookTransport(Target.Webhook target, Duration timeout, OutboundPolicy outbound, String receiver) {
        super(timeout, outbound, receiver);
        this.target = target;
    }

    @Override
    public List<Outcome> send(Notification n) throws Exception {
        SinkEvent first = n.events().get(0);
        Map<String, Object> view = first.view();
        byte[] body;
        boolean text = false;
        if (n.isDigest()) {
            body = HttpSend.json(n.digest().document(n.events().stream().map(this::rendered).toList()));
        } else if (target.body() != null) {
            body = target.body().render(view).getBytes(StandardCharsets.UTF_8);
            text = true;
        } else {
            body = HttpSend.json(rendered(first));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        boolean typed = false;
        for (Map.Entry<String, Template> h : target.headers().entrySet()) {
            headers.put(h.getKey(), h.getValue().render(view));
            typed |= h.getKey().equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            headers.put("Content-Type", text ? "text/plain; charset=utf-8" : "application/json; charset=utf-8");
        }
        headers.put("Idempotency-Key", n.isDigest() ? "digest-" + first.occurrenceId() + "-" + n.events().size() : first.occurrenceId());
        if (target.secret() != null && !target.secret().isEmpty()) {
            String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
            headers.put(target.timestampHeader(), timestamp);
            headers.put(target.signatureHeader(), "sha256=" + signature(target.secret(), timestamp, body));
        }
        return List.of(HttpSend.outcome(http.send(target.method(), URI.create(target.url()), headers, body)));
    }

    /** Hex HMAC-SHA256 keyed with the secret over "timestamp.body". */
    public static String signature(String secret, String timestamp, byte[] body) {
        byte[] signed = new byte[timestamp.length() + 1 + body.length];
        byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        return HexFormat.of().formatHex(ChatContent.hmacSha256(secret.getBytes(StandardCharsets.UTF_8), signed));
    }

    private Object rendered(SinkEvent e) {
        return target.layout() != null ? target.layout().render(e.view()) : EventView.document(e.event());
    }
}
