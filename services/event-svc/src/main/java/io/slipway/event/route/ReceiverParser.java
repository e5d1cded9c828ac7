package io.slipway.event.route;

import io.slipway.yaml.YamlNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads one entry of {@code receivers:}: its name, exactly one kind with that kind's fields, and its delivery policy. */
final class ReceiverParser {
    static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Set<String> POLICY = Set.of("retry", "rateLimit", "digest", "startAt", "timeout", "batchSize");
    private static final Set<String> ALL_KINDS = Set.of("dingtalk", "lark", "feishu", "wecom", "slack", "webhook", "elasticsearch",
            "opensearch", "postgres", "kafka", "stdout", "file");

    private final Reading reading;
    private final Path fileRoot;

    /** {@code fileRoot}: the directory file sinks write in ({@code slipway.routes.file-directory}). */
    ReceiverParser(Reading reading, Path fileRoot) {
        this.reading = reading;
        this.fileRoot = fileRoot.toAbsolutePath().normalize();
    }

    Receiver parse(YamlNode node) {
        Set<String> allowed = new java.util.HashSet<>(POLICY);
        allowed.add("name");
        allowed.addAll(ALL_KINDS);
        Map<String, YamlNode> fields = node.entries(allowed);
        YamlNode nameNode = fields.get("name");
        if (nameNode == null) {
            throw node.error("a receiver needs a name");
        }
        String name = reading.string(nameNode);
        checkName(nameNode, name);
        List<String> kinds = fields.keySet().stream().filter(ALL_KINDS::contains).toList();
        if (kinds.size() != 1) {
            throw node.error("receiver '" + name + "' must have exactly one of " + String.join(", ", ALL_KINDS.stream().sorted().toList())
                    + (kinds.isEmpty() ? "" : ", found " + String.join(" and ", kinds)));
        }
        String kind = kinds.get(0);
        YamlNode spec = fields.get(kind);
        String key = "receivers." + name + "." + kind;
        int firstSecret = reading.secretCount();
        Target target = switch (kind) {
            case "dingtalk" -> dingTalk(spec, key);
            case "lark", "feishu" -> lark(spec, key);
            case "wecom" -> weCom(spec, key);
            case "slack" -> slack(spec, key);
            case "webhook" -> webhook(spec, key);
            case "elasticsearch", "opensearch" -> elasticsearch(spec, key);
            case "postgres" -> postgres(spec, key);
            case "kafka" -> kafka(spec, key);
            case "stdout" -> new Target.Stdout(reading.layout(spec.isNull() ? null : spec.entries(Set.of("layout")).get("layout")));
            default -> file(spec);
        };
        reading.bindSecrets(firstSecret, destination(target));
        return new Receiver(name, target, policy(fields, defaults(target)));
    }

    /** Where a receiver sends, with secrets masked: what a kept secret is bound to. */
    static String destination(Target target) {
        return switch (target) {
            case Target.DingTalk d -> masked(d.url());
            case Target.Lark l -> masked(l.url());
            // a WeCom application message has no robot URL: its API base and corp id say where it goes
            case Target.WeCom w -> masked(w.url()) + (w.app() == null ? "" : " app " + w.app().apiBase() + " " + w.app().corpId());
            case Target.Slack s -> masked(s.url());
            case Target.Webhook w -> masked(w.url());
            case Target.Elasticsearch e -> String.join(" ", e.hosts().stream().map(ReceiverParser::masked).toList()) + " user " + e.username();
            case Target.Postgres p -> masked(p.url()) + " user " + p.user();
            case Target.Kafka k -> String.join(",", k.brokers()) + " topic " + k.topic();
            case Target.Stdout s -> "stdout";
            case Target.File f -> f.path().toString();
        };
    }

    private static String masked(String url) {
        return url == null ? "" : Secrets.maskUrl(url);
    }

    static void checkName(YamlNode at, String name) {
        if (!NAME.matcher(name).matches()) {
            throw at.error("receiver name '" + name + "' must be lower-case letters, digits and dashes (it names a consumer group and a topic)");
        }
    }

    /** The delivery policy a kind gets when the configuration says nothing: chat robots' documented rate limits. */
    static Receiver.Policy defaults(Target target) {
        List<Receiver.RateLimit> limits = switch (target) {
            case Target.DingTalk d -> List.of(new Receiver.RateLimit(20, Duration.ofMinutes(1)));
            case Target.WeCom w -> List.of(new Receiver.RateLimit(20, Duration.ofMinutes(1)));
            case Target.Lark l -> List.of(new Receiver.RateLimit(5, Duration.ofSeconds(1)), new Receiver.RateLimit(100, Duration.ofMinutes(1)));
            case Target.Slack s -> List.of(new Receiver.RateLimit(10, Duration.ofSeconds(10)));
            default -> List.of();
        };
        int batch = switch (target) {
            case Target.Elasticsearch e -> 500;
            case Target.Postgres p -> 200;
            case Target.Kafka k -> 500;
            case Target.Stdout s -> 500;
            case Target.File f -> 500;
            default -> 1;
        };
        return new Receiver.Policy(new Receiver.Retry(0, Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofMinutes(1)), limits,
                new Receiver.Digest(10_000, 20), false, Duration.ofSeconds(10), batch);
    }

    private Receiver.Policy policy(Map<String, YamlNode> fields, Receiver.Policy d) {
        Receiver.Retry retry = d.retry();
        if (fields.containsKey("retry")) {
            Map<String, YamlNode> r = fields.get("retry").entries(Set.of("maxAttempts", "maxElapsed", "initialBackoff", "maxBackoff"));
            retry = new Receiver.Retry(
                    r.containsKey("maxAttempts") ? r.get("maxAttempts").integer(0, 1_000_000) : retry.maxAttempts(),
                    r.containsKey("maxElapsed") ? r.get("maxElapsed").duration() : retry.maxElapsed(),
                    r.containsKey("initialBackoff") ? r.get("initialBackoff").duration() : retry.initialBackoff(),
                    r.containsKey("maxBackoff") ? r.get("maxBackoff").duration() : retry.maxBackoff());
        }
        List<Receiver.RateLimit> limits = d.rateLimits();
        if (fields.containsKey("rateLimit")) {
            YamlNode node = fields.get("rateLimit");
            limits = node.isMap() ? List.of(rateLimit(node)) : node.items().stream().map(this::rateLimit).toList();
        }
        Receiver.Digest digest = d.digest();
        if (fields.containsKey("digest")) {
            Map<String, YamlNode> g = fields.get("digest").entries(Set.of("maxEvents", "lines"));
            digest = new Receiver.Digest(g.containsKey("maxEvents") ? g.get("maxEvents").integer(1, 1_000_000) : digest.maxEvents(),
                    g.containsKey("lines") ? g.get("lines").integer(0, 10_000) : digest.lines());
        }
        boolean earliest = d.fromEarliest();
        if (fields.containsKey("startAt")) {
            String s = reading.string(fields.get("startAt"));
            if (!s.equals("latest") && !s.equals("earliest")) {
                throw fields.get("startAt").error("startAt must be latest or earliest");
            }
            earliest = s.equals("earliest");
        }
        Duration timeout = fields.containsKey("timeout") ? fields.get("timeout").duration() : d.timeout();
        int batch = fields.containsKey("batchSize") ? fields.get("batchSize").integer(1, 10_000) : d.batchSize();
        return new Receiver.Policy(retry, limits, digest, earliest, timeout, batch);
    }

    private Receiver.RateLimit rateLimit(YamlNode node) {
        Map<String, YamlNode> f = node.entries(Set.of("messages", "per"));
        if (!f.containsKey("messages") || !f.containsKey("per")) {
            throw node.error("a rate limit needs messages and per, e.g. {messages: 20, per: 1m}");
        }
        return new Receiver.RateLimit(f.get("messages").integer(1, 1_000_000), f.get("per").duration());
    }

    private Target dingTalk(YamlNode node, String key) {
        Map<String, YamlNode> f = node.entries(Set.of("url", "secret", "msgType", "title", "text", "atMobiles", "atUserIds", "atAll"));
        String url = requiredUrl(node, f, key);
        return new Target.DingTalk(url, reading.secret(f.get("secret"), key + ".secret", false), markdown(f.get("msgType")),
                reading.template(f.get("title")), reading.template(f.get("text")), reading.strings(f.get("atMobiles")),
                reading.strings(f.get("atUserIds")), f.containsKey("atAll") && f.get("atAll").bool());
    }

    private Target lark(YamlNode node, String key) {
        Map<String, YamlNode> f = node.entries(Set.of("url", "secret", "msgType", "title", "text", "atUserIds", "atAll"));
        String url = requiredUrl(node, f, key);
        String type = reading.optionalString(f.get("msgType"), "text");
        if (!type.equals("text") && !type.equals("interactive")) {
            throw f.get("msgType").error("msgType must be text or interactive");
        }
        return new Target.Lark(url, reading.secret(f.get("secret"), key + ".secret", false), type.equals("interactive"),
                reading.template(f.get("title")), reading.template(f.get("text")), reading.strings(f.get("atUserIds")),
                f.containsKey("atAll") && f.get("atAll").bool());
    }

    private Target weCom(YamlNode node, String key) {
        Map<String, YamlNode> f = node.entries(Set.of("url", "app", "msgType", "text", "mentionedList", "mentionedMobileList"));
        Target.App app = null;
        String url = null;
        if (f.containsKey("app")) {
            Map<String, YamlNode> a = f.get("app").entries(Set.of("apiBase", "corpId", "corpSecret", "agentId", "toUser"));
            for (String required : List.of("corpId", "corpSecret", "agentId")) {
                if (!a.containsKey(required)) {
                    throw f.get("app").error("a WeCom application needs " + required);
                }
            }
            app = new Target.App(reading.optionalString(a.get("apiBase"), "https://qyapi.weixin.qq.com"), reading.string(a.get("corpId")),
                    reading.secret(a.get("corpSecret"), key + ".app.corpSecret", false), a.get("agentId").integer(0, Integer.MAX_VALUE),
                    reading.optionalString(a.get("toUser"), "@all"));
        } else {
            url = requiredUrl(node, f, key);
        }
        return new Target.WeCom(url, markdown(f.get("msgType")), reading.template(f.get("text")), reading.strings(f.get("mentionedList")),
                reading.strings(f.get("mentionedMobileList")), app);
    }

    private Target slack(YamlNode node, String key) {
        Map<String, YamlNode> f = node.entries(Set.of("url", "text", "channel", "username", "iconEmoji", "layout"));
        String url = requiredUrl(node, f, key);
        return new Target.Slack(url, reading.template(f.get("text")), reading.optionalString(f.get("channel"), null),
                reading.optionalString(f.get("username"), null), reading.optionalString(f.get("iconEmoji"), null), reading.layout(f.get("layout")));
    }

    private Target webhook(YamlNode node, String key) {
        Map<String, YamlNode> f = node.entries(Set.of("url", "method", "headers", "layout", "body", "secret", "signatureHeader", "timestampHeader"));
        String url = requiredUrl(node, f, key);
        if (f.containsKey("layout") && f.containsKey("body")) {
            throw f.get("body").error("give either layout (a JSON shape) or body (a text template), not both");
        }
        Map<String, Template> headers = new LinkedHashMap<>();
        if (f.containsKey("headers")) {
            f.get("headers").entries().forEach((name, value) -> {
                if (Secrets.secretHeader(name)) {
                    reading.secret(value, key + ".headers." + name, false);
                }
                headers.put(name, reading.template(value));
            });
        }
        String method = reading.optionalString(f.get("method"), "POST").toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("POST", "PUT", "PATCH", "GET").contains(method)) {
            throw f.get("method").error("method must be POST, PUT, PATCH or GET");
        }
        return new Target.Webhook(url, method, headers, reading.layout(f.get("layout")), reading.template(f.get("body")),
                reading.secret(f.get("secret"), key + ".secret", false), reading.optionalString(f.get("signatureHeader"), "X-Slipway-Signature"),
                reading.optionalString(f.get("timestampHeader"), "X-Slipway-Timestamp"));
    }

    private Target elasticsearch(YamlNode node, String key) {
        Map<String, YamlNode> f = node.entries(Set.of("hosts", "index", "indexDateFormat", "username", "password", "apiKey", "layout"));
        if (!f.containsKey("hosts")) {
            throw node.error("hosts is required (e.g. [http://localhost:9200])");
        }
        List<YamlNode> hostNodes = f.get("hosts").isScalar() ? List.of(f.get("hosts")) : f.get("hosts").items();
        List<String> hosts = new java.util.ArrayList<>();
        for (int i = 0; i < hostNodes.size(); i++) {
            String host = reading.secret(hostNodes.get(i), key + ".hosts[" + i + "]", true);
            checkHttpUrl(hostNodes.get(i), host);
            hosts.add(host.endsWith("/") ? host.substring(0, host.length() - 1) : host);
        }
        if (hosts.isEmpty()) {
            throw f.get("hosts").error("at least one host is required");
        }
        String index = reading.optionalString(f.get("index"), "kube-events");
        if (!index.matches("[a-z0-9][a-z0-9._-]*")) {
            throw f.get("index").error("an index name must be lower-case letters, digits, '.', '_' or '-'");
        }
        String format = reading.optionalString(f.get("indexDateFormat"), "yyyy.MM.dd");
        try {
            java.time.format.DateTimeFormatter.ofPattern(format);
        } catch (IllegalArgumentException e) {
            throw f.get("indexDateFormat").error("invalid date pattern: " + e.getMessage());
        }
        return new Target.Elasticsearch(hosts, index, format, reading.optionalString(f.get("username"), null),
                reading.secret(f.get("password"), key + ".password", false), reading.secret(f.get("apiKey"), key + ".apiKey", false),
                reading.layout(f.get("layout")));
    }

    private Target postgres(YamlNode node, String key) {
        Map<String, YamlNode> f = node.entries(Set.of("url", "user", "password", "table"));
        if (!f.containsKey("url")) {
            throw node.error("url is required (jdbc:postgresql://host:port/database)");
        }
        String url = reading.secret(f.get("url"), key + ".url", true);
        if (!url.startsWith("jdbc:postgresql://")) {
            throw f.get("url").error("url must start with jdbc:postgresql://");
        }
        String table = reading.optionalString(f.get("table"), "kube_events");
        if (!table.matches("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?")) {
            throw f.get("table").error("table must be a lower-case SQL name ([schema.]name of letters, digits and _)");
        }
        return new Target.Postgres(url, reading.optionalString(f.get("user"), null), reading.secret(f.get("password"), key + ".password", false), table);
    }

    private Target kafka(YamlNode node, String key) {
        Map<String, YamlNode> f = node.entries(Set.of("brokers", "topic", "properties", "format", "layout"));
        if (!f.containsKey("brokers") || !f.containsKey("topic")) {
            throw node.error("brokers and topic are required");
        }
        List<String> brokers = reading.strings(f.get("brokers"));
        String topic = reading.string(f.get("topic"));
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw f.get("topic").error("a topic name is letters, digits, '.', '_' and '-'");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (f.containsKey("properties")) {
            f.get("properties").entries().forEach((name, value) -> properties.put(name,
                    Secrets.secretProperty(name) ? reading.secret(value, key + ".properties." + name, false) : reading.string(value)));
        }
        String format = reading.optionalString(f.get("format"), "avro");
        if (!format.equals("avro") && !format.equals("json")) {
            throw f.get("format").error("format must be avro (the record as it is) or json (the event document)");
        }
        return new Target.Kafka(brokers, topic, properties, format.equals("json"), reading.layout(f.get("layout")));
    }

    private Target file(YamlNode node) {
        Map<String, YamlNode> f = node.entries(Set.of("path", "layout"));
        if (!f.containsKey("path")) {
            throw node.error("path is required");
        }
        String written = reading.string(f.get("path"));
        Path path;
        try {
            path = fileRoot.resolve(written).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw f.get("path").error("not a file path: " + e.getReason());
        }
        // inside the configured directory only: routes are written over REST, and a file anywhere would be a way to
        // write build-svc's or the system's files as this service's user
        if (!path.startsWith(fileRoot) || path.equals(fileRoot)) {
            throw f.get("path").error("'" + written + "' is outside the directory file sinks may write in (" + fileRoot
                    + ", slipway.routes.file-directory); give a path relative to it");
        }
        return new Target.File(path, reading.layout(f.get("layout")));
    }

    private boolean markdown(YamlNode node) {
        String type = reading.optionalString(node, "text");
        if (!type.equals("text") && !type.equals("markdown")) {
            throw node.error("msgType must be text or markdown");
        }
        return type.equals("markdown");
    }

    private String requiredUrl(YamlNode parent, Map<String, YamlNode> f, String key) {
        YamlNode node = f.get("url");
        if (node == null) {
            throw parent.error("url is required");
        }
        if (node.isNull()) { // `url:` with nothing after it (found by RouteFuzzTest: it was a NullPointerException)
            throw node.error("url is required");
        }
        String url = reading.secret(node, key + ".url", true);
        checkHttpUrl(node, url);
        return url;
    }

    private static void checkHttpUrl(YamlNode node, String url) {
        try {
            java.net.URI uri = java.net.URI.create(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw node.error("expected an http(s) URL with a host");
            }
        } catch (IllegalArgumentException e) {
            // the message would quote the URL, and with it its token
            throw node.error("not a valid URL");
        }
    }
}
