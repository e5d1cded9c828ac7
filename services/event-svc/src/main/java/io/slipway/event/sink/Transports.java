package io.slipway.event.sink;

import io.slipway.event.route.Receiver;
import io.slipway.event.route.Target;
import io.slipway.event.sink.dingtalk.DingTalkTransport;
import io.slipway.event.sink.elasticsearch.ElasticsearchTransport;
import io.slipway.event.sink.file.FileTransport;
import io.slipway.event.sink.kafka.KafkaTransport;
import io.slipway.event.sink.lark.LarkTransport;
import io.slipway.event.sink.postgres.PostgresTransport;
import io.slipway.event.sink.slack.SlackTransport;
import io.slipway.event.sink.webhook.WebhookTransport;
import io.slipway.event.sink.wecom.WeComTransport;
import io.slipway.outbound.OutboundPolicy;

/** The transport for a receiver's kind. */
public final class Transports {
    private Transports() {
    }

    /**
     * A PostgreSQL or Kafka receiver's hosts ({@code host[:port]}) must be where the outbound policy allows; a refusal stops
     * the sink (its status says why) until the route or the allowance changes. The brokers a Kafka cluster then announces
     * are checked by the transport before each batch.
     */
    static void reachable(OutboundPolicy outbound, java.util.List<String> hostPorts, String receiver) {
        for (String hp : hostPorts) {
            String h = hp.strip();
            String host = h.startsWith("[") ? h.substring(0, h.indexOf(']') + 1) : h.contains(":") ? h.substring(0, h.lastIndexOf(':')) : h;
            outbound.checkHost(host, "receiver " + receiver);
        }
    }

    /**
     * Checks where {@code receiver} would send, as a write of the routes does before it takes effect: its URLs or hosts must
     * be where {@code outbound} allows (a URL with a query, which may carry a token, over https unless on loopback).
     * Stdout and file receivers send nowhere.
     */
    public static void checkDestination(Receiver receiver, OutboundPolicy outbound) {
        String name = receiver.name();
        java.util.function.Consumer<String> url = u -> {
            java.net.URI uri = java.net.URI.create(u);
            outbound.check(uri, "receiver " + name, HttpSend.carriesCredentials(uri, java.util.Map.of()));
        };
        switch (receiver.target()) {
            case Target.DingTalk t -> url.accept(t.url());
            case Target.Lark t -> url.accept(t.url());
            case Target.WeCom t -> url.accept(t.app() != null ? t.app().apiBase() : t.url());
            case Target.Slack t -> url.accept(t.url());
            case Target.Webhook t -> url.accept(t.url());
            case Target.Elasticsearch t -> t.hosts().forEach(url);
            case Target.Postgres t -> reachable(outbound, jdbcHosts(t.url()), name);
            case Target.Kafka t -> reachable(outbound, t.brokers(), name);
            case Target.Stdout t -> {
            }
            case Target.File t -> {
            }
        }
    }

    /** The hosts of {@code jdbc:postgresql://host1[:port][,host2[:port]]/db?...}. */
    static java.util.List<String> jdbcHosts(String url) {
        String rest = url.replaceFirst("^jdbc:postgresql://", "");
        int end = rest.indexOf('/');
        String hosts = end < 0 ? rest : rest.substring(0, end);
        return hosts.isEmpty() ? java.util.List.of("localhost") : java.util.List.of(hosts.split(","));
    }

    /** The transport for {@code receiver}; HTTP ones send only where {@code outbound} allows. */
    public static Transport of(Receiver receiver, OutboundPolicy outbound) {
        var timeout = receiver.policy().timeout();
        String name = receiver.name();
        return switch (receiver.target()) {
            case Target.DingTalk t -> new DingTalkTransport(t, timeout, outbound, name);
            case Target.Lark t -> new LarkTransport(t, timeout, outbound, name);
            case Target.WeCom t -> new WeComTransport(t, timeout, outbound, name);
            case Target.Slack t -> new SlackTransport(t, timeout, outbound, name);
            case Target.Webhook t -> new WebhookTransport(t, timeout, outbound, name);
            case Target.Elasticsearch t -> new ElasticsearchTransport(t, timeout, outbound, name);
            case Target.Postgres t -> {
                checkDestination(receiver, outbound);
                yield new PostgresTransport(t, timeout);
            }
            case Target.Kafka t -> {
                checkDestination(receiver, outbound);
                yield new KafkaTransport(t, receiver.consumerGroup(), timeout, outbound, name);
            }
            case Target.Stdout t -> FileTransport.stdout(t.layout());
            case Target.File t -> FileTransport.file(t.path(), t.layout());
        };
    }
}
