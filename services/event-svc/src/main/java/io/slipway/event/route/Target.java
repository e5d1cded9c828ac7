package io.slipway.event.route;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The receiver kinds and what each needs to reach its receiver; templates are parsed, secrets already expanded. */
public sealed interface Target {

    /** The kind's name as written in the configuration ({@code dingtalk}, {@code webhook}, ...). */
    String kind();

    /** A DingTalk group robot; {@code secret} is the robot's signing secret (SEC...), null without signing. */
    record DingTalk(String url, String secret, boolean markdown, Template title, Template text, List<String> atMobiles,
                    List<String> atUserIds, boolean atAll) implements Target {
        @Override
        public String kind() {
            return "dingtalk";
        }
    }

    /** A Lark/Feishu custom bot; {@code card} sends an interactive card with Lark markdown instead of plain text. */
    record Lark(String url, String secret, boolean card, Template title, Template text, List<String> atUserIds, boolean atAll)
            implements Target {
        @Override
        public String kind() {
            return "lark";
        }
    }

    /**
     * WeCom (WeChat Work): a group robot webhook ({@code url} with its key), or an application message (kube-eventer's
     * wechat sink) when {@code app} is set.
     */
    record WeCom(String url, boolean markdown, Template text, List<String> mentionedList, List<String> mentionedMobiles, App app)
            implements Target {
        @Override
        public String kind() {
            return "wecom";
        }
    }

    /** A WeCom application that sends to users: token from corp id and secret, then message/send. */
    record App(String apiBase, String corpId, String corpSecret, int agentId, String toUser) {
    }

    /** A Slack incoming webhook; {@code layout}, when set, is the whole JSON body instead of {@code text}. */
    record Slack(String url, Template text, String channel, String username, String iconEmoji, Layout layout) implements Target {
        @Override
        public String kind() {
            return "slack";
        }
    }

    /**
     * Any HTTP endpoint. The body is {@code layout} rendered as JSON, or {@code body} rendered as text, or the event
     * document. With a {@code secret}, each request carries an HMAC-SHA256 signature over timestamp and body.
     */
    record Webhook(String url, String method, Map<String, Template> headers, Layout layout, Template body, String secret,
                   String signatureHeader, String timestampHeader) implements Target {
        @Override
        public String kind() {
            return "webhook";
        }
    }

    /**
     * Elasticsearch or OpenSearch through the bulk API; one index per day ({@code <index>-<date>} from the event's last
     * occurrence), document id = event uid + count.
     */
    record Elasticsearch(List<String> hosts, String index, String dateFormat, String username, String password, String apiKey,
                         Layout layout) implements Target {
        @Override
        public String kind() {
            return "elasticsearch";
        }
    }

    /** A PostgreSQL table, one row per occurrence (primary key event uid + count). */
    record Postgres(String url, String user, String password, String table) implements Target {
        @Override
        public String kind() {
            return "postgres";
        }
    }

    /**
     * A Kafka topic on any cluster. Without a layout the record is passed on as it is (the Avro event and its envelope
     * headers) unless {@code json} asks for the event document as JSON; with a layout, the value is the rendered JSON.
     */
    record Kafka(List<String> brokers, String topic, Map<String, String> properties, boolean json, Layout layout) implements Target {
        @Override
        public String kind() {
            return "kafka";
        }
    }

    /** One JSON line per event on the service's standard output. */
    record Stdout(Layout layout) implements Target {
        @Override
        public String kind() {
            return "stdout";
        }
    }

    /** One JSON line per event appended to a file. */
    record File(Path path, Layout layout) implements Target {
        @Override
        public String kind() {
            return "file";
        }
    }
}
