package io.slipway.event.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.outbound.OutboundPolicy;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * What the HTTP receivers share (DingTalk, Lark, WeCom, Slack, webhooks): one client per receiver that connects only
 * where the outbound policy allows, one request per notification, the HTTP status read generically
 * ({@link HttpSend#outcome}), and, for chat robots that answer 200 with their own verdict in the body, that verdict
 * read honestly: delivered only when the robot's code says so, retried when the body carries no code at all. Each
 * transport keeps only what differs: its body, its signature, and what its robot's codes mean.
 */
public abstract class HttpTransport implements Transport {
    protected final HttpSend http;

    protected HttpTransport(Duration timeout, OutboundPolicy outbound, String receiver) {
        this.http = new HttpSend(timeout, outbound, receiver);
    }

    /** A robot's verdict: its code and its message. */
    public record Verdict(int code, String message) {
    }

    /** Where a robot writes its verdict: the code field and the message field beside it ({@code errcode}, {@code errmsg}). */
    public record VerdictFields(String code, String message) {
    }

    /** POSTs {@code body} as JSON; the answer is judged by its HTTP status alone. */
    protected final List<Outcome> post(URI uri, Object body) throws IOException, InterruptedException {
        return List.of(HttpSend.outcome(http.postJson(uri, body)));
    }

    /**
     * POSTs {@code body} as JSON to a robot: a non-2xx answer is judged by its status; a 2xx one by {@code judge}, given the
     * verdict in the first of {@code fields} the body has. A body with none of them is retried ("{@code robot} answered
     * HTTP 200 without {@code missing}"): the robot did not say it took the message.
     */
    protected final List<Outcome> postToRobot(String robot, String missing, URI uri, Object body, List<VerdictFields> fields,
                                              Function<Verdict, Outcome> judge) throws IOException, InterruptedException {
        HttpSend.Response r = http.postJson(uri, body);
        if (!r.ok()) {
            return List.of(HttpSend.outcome(r));
        }
        JsonNode json = r.json();
        VerdictFields where = json == null ? null : fields.stream().filter(f -> json.has(f.code())).findFirst().orElse(null);
        if (where == null) {
            return List.of(Outcome.retry(robot + " answered HTTP " + r.status() + " without " + missing + ": " + r.excerpt()));
        }
        return List.of(judge.apply(new Verdict(json.get(where.code()).asInt(), json.path(where.message()).asText(""))));
    }

    @Override
    public void close() {
        http.close();
    }
}
