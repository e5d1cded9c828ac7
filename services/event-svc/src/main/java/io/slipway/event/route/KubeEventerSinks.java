package io.slipway.event.route;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * kube-eventer's {@code --sink=<kind>:<url>?<options>} URIs as receivers and routes, so an existing kube-eventer
 * command line works unchanged. Each URI becomes one receiver and one route whose match rule carries the URI's
 * filters: {@code level} (DingTalk, Lark, WeCom: that severity and above, Warning by default; webhook: exactly that
 * type, Warning by default), {@code namespaces} and {@code kinds} (exact, comma-separated), {@code reason} / {@code
 * reasons} (regular expressions), {@code exclude_reasons} (a drop rule). Options kube-eventer documents but that have no
 * meaning here (Elasticsearch sniffing, bulk workers, ...) are accepted and ignored; unknown options are errors.
 */
public final class KubeEventerSinks {
    private static final Set<String> FILTERS = Set.of("level", "namespaces", "kinds", "reason", "reasons", "exclude_reasons");
    private static final List<String> SUPPORTED = List.of("dingtalk", "webhook", "kafka", "elasticsearch", "wechat", "feishu", "slack", "log");

    private KubeEventerSinks() {
    }

    /** One mapped URI. */
    public record Mapped(Receiver receiver, Route route) {
    }

    /** The kind of a URI ({@code dingtalk} in {@code dingtalk:https://...}), which also names its receiver by default. */
    public static String kindOf(String uri) {
        int colon = uri.indexOf(':');
        return (colon < 0 ? uri : uri.substring(0, colon)).trim();
    }

    /** Maps one URI; {@link IllegalArgumentException} says what is wrong without quoting the URI (it holds tokens). */
    public static Mapped map(String name, String uri) {
        String kind = kindOf(uri);
        String rest = uri.indexOf(':') < 0 ? "" : uri.substring(uri.indexOf(':') + 1);
        int q = rest.indexOf('?');
        String base = q < 0 ? rest : rest.substring(0, q);
        Options options = Options.parse(q < 0 ? "" : rest.substring(q + 1));
        return switch (kind) {
            case "dingtalk" -> dingTalk(name, base, options);
            case "webhook" -> webhook(name, base, options);
            case "kafka" -> kafka(name, options);
            case "elasticsearch" -> elasticsearch(name, base, options);
            case "wechat" -> weChat(name, options);
            case "feishu" -> feishu(name, base, options);
            case "slack" -> slack(name, base, options);
            case "log" -> plain(name, new Target.Stdout(null), options);
            default -> throw new IllegalArgumentException("kube-eventer sink '" + kind + "' has no counterpart here; supported: "
                    + String.join(", ", SUPPORTED) + " (or declare a receiver, e.g. postgres)");
        };
    }

    private static Mapped dingTalk(String name, String base, Options o) {
        o.allow("access_token", "label", "msg_type", "sign", "cluster_id", "region");
        String token = o.one("access_token");
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("dingtalk: access_token is required");
        }
        boolean markdown = "markdown".equals(o.one("msg_type"));
        String clusterId = o.one("cluster_id");
        Template title = Template.parse("Kubernetes" + (clusterId == null ? "" : "(ID:" + clusterId + ")") + " Event");
        Target target = new Target.DingTalk(https(base) + "?access_token=" + token, o.one("sign"), markdown, title,
                markdown ? null : Template.parse(labelLines(o) + ChatText.KUBE_EVENTER_TEXT), List.of(), List.of(), false);
        return mapped(name, target, o, true);
    }

    private static Mapped feishu(String name, String base, Options o) {
        o.allow("label", "cluster_id", "region");
        String clusterId = o.one("cluster_id");
        Target target = new Target.Lark(https(base), null, true, Template.parse("Kubernetes" + (clusterId == null ? "" : "(" + clusterId + ")") + " Event"),
                Template.parse(labelLines(o) + ChatText.KUBE_EVENTER_TEXT), List.of(), false);
        return mapped(name, target, o, true);
    }

    private static Mapped weChat(String name, Options o) {
        o.allow("corp_id", "corp_secret", "agent_id", "to_user", "label");
        for (String required : List.of("corp_id", "corp_secret", "agent_id")) {
            if (o.one(required) == null) {
                throw new IllegalArgumentException("wechat: " + required + " is required");
            }
        }
        int agent;
        try {
            agent = Integer.parseInt(o.one("agent_id"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wechat: agent_id must be a number");
        }
        String toUser = o.one("to_user");
        Target.App app = new Target.App("https://qyapi.weixin.qq.com", o.one("corp_id"), o.one("corp_secret"), agent,
                toUser == null || toUser.isEmpty() ? "@all" : toUser.replace(',', '|'));
        Target target = new Target.WeCom(null, false, Template.parse(labelLines(o) + ChatText.KUBE_EVENTER_TEXT), List.of(), List.of(), app);
        return mapped(name, target, o, true);
    }

    private static Mapped slack(String name, String base, Options o) {
        Target target = new Target.Slack(https(base), null, null, null, null, null);
        return mapped(name, target, o, true);
    }

    private static Mapped webhook(String name, String base, Options o) {
        if (o.one("custom_body_configmap") != null) {
            throw new IllegalArgumentException("webhook: custom_body_configmap names a ConfigMap this service does not read; declare a webhook"
                    + " receiver with body (the ConfigMap's content) or layout instead");
        }
        String method = o.one("method") == null ? "GET" : o.one("method").toUpperCase(java.util.Locale.ROOT);
        Map<String, Template> headers = new LinkedHashMap<>();
        for (String h : o.all("header")) {
            int eq = h.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("webhook: header must be name=value");
            }
            headers.put(h.substring(0, eq), Template.parse(h.substring(eq + 1)));
        }
        // kube-eventer sends to the whole URL, its own options included; only they are taken out here
        String url = base + o.remainder(Set.of("method", "header", "custom_body_configmap", "custom_body_configmap_namespace"));
        Template body = Template.parse("""
                {
                	"EventType": "{{ .Type }}",
                	"EventKind": "{{ .InvolvedObject.Kind }}",
                	"EventReason": "{{ .Reason }}",
                	"EventTime": "{{ .LastTimestamp }}",
                	"EventMessage": {{ quote .Message }}
                }""");
        Target target = new Target.Webhook(url, method, headers, null, body, null, "X-Slipway-Signature", "X-Slipway-Timestamp");
        return mapped(name, target, o, false);
    }

    private static Mapped kafka(String name, Options o) {
        o.allow("brokers", "eventstopic", "timeseriestopic", "compression", "user", "password", "cacert", "cert", "key", "insecuressl");
        List<String> brokers = o.all("brokers");
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("kafka: at least one brokers option is required");
        }
        Map<String, String> props = new LinkedHashMap<>();
        String compression = o.one("compression");
        if (compression != null && !compression.equals("none")) {
            props.put("compression.type", compression);
        }
        boolean tls = o.one("cacert") != null;
        if (o.one("cert") != null || o.one("key") != null) {
            throw new IllegalArgumentException("kafka: client certificates (cert, key) need a kafka receiver with ssl.keystore.* properties");
        }
        if (tls) {
            props.put("security.protocol", "SSL");
            props.put("ssl.truststore.type", "PEM");
            props.put("ssl.truststore.location", Path.of(o.one("cacert")).toString());
        }
        if ("true".equals(o.one("insecuressl"))) {
            props.put("ssl.endpoint.identification.algorithm", "");
        }
        if (o.one("user") != null) {
            if (o.one("password") == null) {
                throw new IllegalArgumentException("kafka: user needs password");
            }
            props.put("security.protocol", tls ? "SASL_SSL" : "SASL_PLAINTEXT");
            props.put("sasl.mechanism", "PLAIN");
            props.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                    + o.one("user").replace("\"", "\\\"") + "\" password=\"" + o.one("password").replace("\"", "\\\"") + "\";");
        }
        String topic = o.one("eventstopic") == null ? "heapster-events" : o.one("eventstopic");
        return plain(name, new Target.Kafka(brokers, topic, props, true, null), o);
    }

    private static Mapped elasticsearch(String name, String base, Options o) {
        o.allow("nodes", "index", "esUserName", "esUserSecret", "maxRetries", "healthCheck", "sniff", "startupHealthcheckTimeout", "ver",
                "bulkWorkers", "cluster_name", "pipeline");
        if (o.one("pipeline") != null) {
            throw new IllegalArgumentException("elasticsearch: ingest pipelines are not supported; give the document's shape as a layout");
        }
        List<String> hosts = o.all("nodes").isEmpty() ? List.of(base) : o.all("nodes");
        for (String host : hosts) {
            if (!host.startsWith("http://") && !host.startsWith("https://")) {
                throw new IllegalArgumentException("elasticsearch: each node must be an http(s) URL");
            }
        }
        String index = o.one("index") == null ? "heapster" : o.one("index");
        Target target = new Target.Elasticsearch(hosts.stream().map(h -> h.endsWith("/") ? h.substring(0, h.length() - 1) : h).toList(),
                index, "yyyy.MM.dd", o.one("esUserName"), o.one("esUserSecret"), null, null);
        return plain(name, target, o);
    }

    private static Mapped plain(String name, Target target, Options o) {
        o.checkAllowed();
        Rule all = new Rule(Map.of(), Map.of(), Map.of(), 0, name);
        return new Mapped(new Receiver(name, target, ReceiverParser.defaults(target)), new Route(List.of(), List.of(all), List.of()));
    }

    /** A receiver routed by the URI's filters; {@code atLeast} is DingTalk's reading of level (that and above). */
    private static Mapped mapped(String name, Target target, Options o, boolean atLeast) {
        o.allow(FILTERS.toArray(String[]::new));
        o.checkAllowed();
        Map<Rule.Field, Pattern> fields = new LinkedHashMap<>();
        String level = o.one("level") == null ? "Warning" : o.one("level");
        if (!level.equals("Warning") && !level.equals("Normal")) {
            throw new IllegalArgumentException(target.kind() + ": level must be Normal or Warning");
        }
        if (level.equals("Warning") || !atLeast) {
            fields.put(Rule.Field.TYPE, Pattern.compile("^" + level + "$"));
        }
        exact(o.list("namespaces")).ifPresent(p -> fields.put(Rule.Field.NAMESPACE, p));
        exact(o.list("kinds")).ifPresent(p -> fields.put(Rule.Field.KIND, p));
        List<String> reasons = new ArrayList<>(o.all("reason"));
        reasons.addAll(o.list("reasons"));
        if (!reasons.isEmpty()) {
            fields.put(Rule.Field.REASON, regexes(reasons));
        }
        List<Rule> drop = new ArrayList<>();
        exact(o.list("exclude_reasons")).ifPresent(p -> drop.add(new Rule(Map.of(Rule.Field.REASON, p), Map.of(), Map.of(), 0, null)));
        Rule match = new Rule(fields, Map.of(), Map.of(), 0, name);
        return new Mapped(new Receiver(name, target, ReceiverParser.defaults(target)), new Route(drop, List.of(match), List.of()));
    }

    private static java.util.Optional<Pattern> exact(List<String> values) {
        if (values.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Pattern.compile("^(" + String.join("|", values.stream().map(Pattern::quote).toList()) + ")$"));
    }

    private static Pattern regexes(List<String> values) {
        try {
            return Pattern.compile(String.join("|", values.stream().map(v -> "(?:" + v + ")").toList()));
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("reason is not a valid regular expression: " + e.getDescription());
        }
    }

    private static String labelLines(Options o) {
        StringBuilder s = new StringBuilder();
        for (String label : o.all("label")) {
            s.insert(0, label.replace("{{", "{{ \"{{\" }}") + "\n");
        }
        return s.toString();
    }

    private static String https(String base) {
        if (base.startsWith("http://") || base.startsWith("https://")) {
            return base;
        }
        if (base.isEmpty()) {
            throw new IllegalArgumentException("the sink URL is missing");
        }
        return "https://" + base;
    }

    /** The URI's query: repeated options keep every value, as Go's url.Values does. */
    private static final class Options {
        private final Map<String, List<String>> values = new LinkedHashMap<>();
        private final List<String[]> order = new ArrayList<>();
        private final Set<String> allowed = new java.util.HashSet<>();

        static Options parse(String query) {
            Options o = new Options();
            if (query.isEmpty()) {
                return o;
            }
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                o.values.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                o.order.add(new String[] {k, pair});
            }
            return o;
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the URI has a malformed %-escape");
            }
        }

        void allow(String... names) {
            allowed.addAll(List.of(names));
        }

        void checkAllowed() {
            for (String k : values.keySet()) {
                if (!allowed.contains(k)) {
                    throw new IllegalArgumentException("unknown option '" + k + "' (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
                }
            }
        }

        String one(String key) {
            List<String> v = values.get(key);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        List<String> all(String key) {
            return values.getOrDefault(key, List.of());
        }

        /** A comma-separated option's items. */
        List<String> list(String key) {
            String v = one(key);
            if (v == null || v.isEmpty()) {
                return List.of();
            }
            return List.of(v.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        /** The query without the filters and the given options, as it was written ("?a=b&c=d" or ""). */
        String remainder(Set<String> without) {
            List<String> kept = new ArrayList<>();
            for (String[] kv : order) {
                if (!FILTERS.contains(kv[0]) && !without.contains(kv[0])) {
                    kept.add(kv[1]);
                }
            }
            allowed.addAll(values.keySet());
            return kept.isEmpty() ? "" : "?" + String.join("&", kept);
        }
    }
}
