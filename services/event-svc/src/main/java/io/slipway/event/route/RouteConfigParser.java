package io.slipway.event.route;

import io.slipway.yaml.YamlError;
import io.slipway.yaml.YamlNode;
import io.slipway.yaml.YamlReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads a routing document:
 *
 * <pre>
 * route:            # the root of the route tree (kubernetes-event-exporter's shape)
 *   drop: [...]     # rules; a match drops the event here
 *   match: [...]    # rules; each may name a receiver
 *   routes: [...]   # sub-routes, entered when every match rule matched
 * receivers:        # named destinations, one kind each (dingtalk, lark, wecom, slack, webhook, elasticsearch, ...)
 *   - name: oncall
 *     dingtalk: {url: ..., secret: ...}
 * kubeEventer:      # kube-eventer --sink URIs, each a receiver (named after its kind, or {name, sink})
 *   - dingtalk:https://oapi.dingtalk.com/robot/send?access_token=...&amp;level=Warning
 * </pre>
 *
 * Everything is checked before anything is used: unknown fields, invalid regular expressions and templates, routes to
 * receivers that do not exist; the error names the line and the field.
 */
public final class RouteConfigParser {
    private static final Set<String> TOP = Set.of("route", "receivers", "kubeEventer");
    private static final Set<String> ROUTE = Set.of("drop", "match", "routes");
    private static final Set<String> RULE = Set.of("type", "level", "reason", "kind", "namespace", "name", "apiVersion", "component", "host",
            "cluster", "message", "labels", "annotations", "minCount", "receiver");

    private final UnaryOperator<String> env;
    private final Path fileRoot;

    /**
     * @param env      the environment {@code ${VAR}} references are resolved from; it throws {@link Reading.NotAllowed}
     *                 for a variable the file may not read
     * @param fileRoot the directory file sinks write in; their paths resolve against it and may not leave it
     */
    public RouteConfigParser(UnaryOperator<String> env, Path fileRoot) {
        this.env = env;
        this.fileRoot = fileRoot;
    }

    /**
     * {@code env} restricted to {@code allowed} (names, or prefixes ending in {@code *}): any other variable is refused,
     * set or not, so that neither its value nor whether it exists can be learned through a route.
     */
    public static UnaryOperator<String> allowed(UnaryOperator<String> env, List<String> allowed) {
        List<String> patterns = List.copyOf(allowed);
        return name -> {
            for (String p : patterns) {
                if (p.endsWith("*") ? name.startsWith(p.substring(0, p.length() - 1)) : name.equals(p)) {
                    return env.apply(name);
                }
            }
            throw new Reading.NotAllowed("environment variable " + name + " may not be read by routes (allowed: " + String.join(", ", patterns)
                    + "; slipway.routes.allowed-variables)");
        };
    }

    public RouteConfig parse(String text) {
        try {
            return parse(YamlReader.strict().read(text), text);
        } catch (YamlError e) {
            throw ConfigError.of(e);
        }
    }

    private RouteConfig parse(YamlNode doc, String text) {
        if (!doc.isNull() && !doc.isMap()) {
            throw doc.error("the routing configuration must be a map with route, receivers and kubeEventer");
        }
        Map<String, YamlNode> top = doc.entries(TOP);
        Reading reading = new Reading(env);
        Map<String, Receiver> receivers = new LinkedHashMap<>();
        Map<String, YamlNode> declaredAt = new HashMap<>();
        ReceiverParser receiverParser = new ReceiverParser(reading, fileRoot);
        for (YamlNode node : top.containsKey("receivers") ? top.get("receivers").items() : List.<YamlNode>of()) {
            Receiver r = receiverParser.parse(node);
            if (receivers.putIfAbsent(r.name(), r) != null) {
                throw node.error("receiver name '" + r.name() + "' is used twice (also at line " + declaredAt.get(r.name()).line() + ")");
            }
            declaredAt.put(r.name(), node);
        }
        List<Route> roots = new ArrayList<>();
        if (top.containsKey("route")) {
            roots.add(route(top.get("route"), reading, receivers.keySet()));
        }
        if (top.containsKey("kubeEventer")) {
            Map<String, Integer> seen = new HashMap<>();
            for (YamlNode node : top.get("kubeEventer").items()) {
                KubeEventerSinks.Mapped mapped = kubeEventer(node, reading, seen);
                if (receivers.putIfAbsent(mapped.receiver().name(), mapped.receiver()) != null) {
                    throw node.error("receiver name '" + mapped.receiver().name() + "' is used twice; give this URI its own name: {name: ..., sink: ...}");
                }
                roots.add(mapped.route());
            }
        }
        Route root = roots.size() == 1 ? roots.get(0) : new Route(List.of(), List.of(), roots);
        return new RouteConfig(root, List.copyOf(receivers.values()), text, reading.secrets());
    }

    private KubeEventerSinks.Mapped kubeEventer(YamlNode node, Reading reading, Map<String, Integer> seen) {
        YamlNode uriNode;
        String name;
        if (node.isMap()) {
            Map<String, YamlNode> f = node.entries(Set.of("name", "sink"));
            if (!f.containsKey("name") || !f.containsKey("sink")) {
                throw node.error("a named kube-eventer sink needs name and sink");
            }
            name = reading.string(f.get("name"));
            ReceiverParser.checkName(f.get("name"), name);
            uriNode = f.get("sink");
        } else {
            uriNode = node;
            String kind = KubeEventerSinks.kindOf(withoutFlag(uriNode.scalar()));
            int n = seen.merge(kind, 1, Integer::sum);
            name = n == 1 ? kind : kind + "-" + n;
            if (!ReceiverParser.NAME.matcher(name).matches()) {
                throw node.error("'" + kind + "' is not a kube-eventer sink kind");
            }
        }
        String uri = withoutFlag(reading.secret(uriNode, "kubeEventer." + name, true));
        try {
            return KubeEventerSinks.map(name, uri);
        } catch (IllegalArgumentException e) {
            throw uriNode.error(e.getMessage());
        }
    }

    /** A URI as given on kube-eventer's command line ({@code --sink=dingtalk:...}) or without the flag. */
    private static String withoutFlag(String uri) {
        String u = uri.strip();
        return u.startsWith("--sink=") ? u.substring("--sink=".length()) : u;
    }

    private Route route(YamlNode node, Reading reading, Set<String> receivers) {
        Map<String, YamlNode> f = node.entries(ROUTE);
        List<Rule> drop = new ArrayList<>();
        for (YamlNode r : f.containsKey("drop") ? f.get("drop").items() : List.<YamlNode>of()) {
            drop.add(rule(r, reading, receivers, false));
        }
        List<Rule> match = new ArrayList<>();
        for (YamlNode r : f.containsKey("match") ? f.get("match").items() : List.<YamlNode>of()) {
            match.add(rule(r, reading, receivers, true));
        }
        List<Route> routes = new ArrayList<>();
        for (YamlNode r : f.containsKey("routes") ? f.get("routes").items() : List.<YamlNode>of()) {
            routes.add(route(r, reading, receivers));
        }
        return new Route(drop, match, routes);
    }

    private Rule rule(YamlNode node, Reading reading, Set<String> receivers, boolean matching) {
        Map<String, YamlNode> f = node.entries(RULE);
        if (f.containsKey("type") && f.containsKey("level")) {
            throw f.get("level").error("level is another name for type; give one of them");
        }
        Map<Rule.Field, Pattern> fields = new LinkedHashMap<>();
        for (Rule.Field field : Rule.Field.values()) {
            YamlNode v = f.get(field.key());
            if (field == Rule.Field.TYPE && v == null) {
                v = f.get("level");
            }
            if (v != null && !v.isNull()) {
                fields.put(field, reading.pattern(v));
            }
        }
        int minCount = f.containsKey("minCount") ? f.get("minCount").integer(0, Integer.MAX_VALUE) : 0;
        String receiver = null;
        if (f.containsKey("receiver")) {
            if (!matching) {
                throw f.get("receiver").error("a drop rule sends nothing anywhere; receiver belongs in a match rule");
            }
            receiver = reading.string(f.get("receiver"));
            if (!receivers.contains(receiver)) {
                throw f.get("receiver").error("no receiver is named '" + receiver + "'"
                        + (receivers.isEmpty() ? " (receivers: is empty)" : " (receivers: " + String.join(", ", receivers) + ")"));
            }
        }
        return new Rule(fields, patterns(f.get("labels"), reading), patterns(f.get("annotations"), reading), minCount, receiver);
    }

    private static Map<String, Pattern> patterns(YamlNode node, Reading reading) {
        Map<String, Pattern> out = new LinkedHashMap<>();
        if (node != null) {
            node.entries().forEach((k, v) -> out.put(k, reading.pattern(v)));
        }
        return out;
    }
}
