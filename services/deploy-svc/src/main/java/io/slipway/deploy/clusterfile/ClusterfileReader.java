package io.slipway.deploy.clusterfile;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads a Cluster document's YAML nodes into the model, checking each field where it is written (line numbers kept). */
final class ClusterfileReader {
    private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
    private static final Set<String> SPEC_V2 = Set.of("image", "env", "cmd_args", "cmd", "appNames", "hosts", "ssh", "hostAliases",
            "registry", "containerRuntime", "dataRoot", "infra", "hostKeys", "trustOnFirstUse", "secretEnv");
    private static final Set<String> INFRA = Set.of("provider", "masters", "nodes");
    private static final Set<String> INFRA_ROLE = Set.of("count", "size", "image");
    /** infra-svc's pool ids are DNS labels of at most 40 characters; the pool is named after the cluster. */
    private static final int MAX_POOL_NAME = 40;
    private static final Set<String> SSH = Set.of("user", "passwd", "pk", "pkPasswd", "port");
    private static final Set<String> HOST = Set.of("ips", "roles", "ssh", "env", "labels", "taints");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ROLE = Pattern.compile("[a-z0-9]([-a-z0-9_]*[a-z0-9])?");
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private final String file;
    /** A user's file (not one this service stored): needs a master, and its private keys must be key material. */
    private final boolean requireMaster;

    ClusterfileReader(String file, boolean requireMaster) {
        this.file = file;
        this.requireMaster = requireMaster;
    }

    Clusterfile.Parsed cluster(MappingNode doc) {
        Map<String, NodeTuple> top = fields(doc, "", TOP);
        String apiVersion = scalar(required(top, doc, "apiVersion", ""), "apiVersion");
        boolean v1 = Clusterfile.V1_VERSIONS.contains(apiVersion);
        if (!v1 && !Clusterfile.V2_VERSIONS.contains(apiVersion)) {
            throw error(top.get("apiVersion").getValueNode(), "apiVersion", "'" + apiVersion + "' is not a Clusterfile version: use "
                    + Clusterfile.API_V2 + " (or import a v1 file: sealer.aliyun.com/v1alpha1, sealer.cloud/v1)");
        }
        Clusterfile.Parsed p = new Clusterfile.Parsed();
        MappingNode metadata = mapping(required(top, doc, "metadata", ""), "metadata");
        Node nameNode = required(fields(metadata, "metadata", null), metadata, "name", "metadata");
        p.name = scalar(nameNode, "metadata.name");
        if (p.name.length() > 63 || !NAME.matcher(p.name).matches()) {
            throw error(nameNode, "metadata.name", "'" + p.name + "' must be lower-case letters, digits and '-' (at most 63), "
                    + "starting and ending with a letter or digit");
        }
        MappingNode spec = mapping(required(top, doc, "spec", ""), "spec");
        if (v1) {
            readV1(spec, p);
        } else {
            readV2(spec, p);
        }
        validate(p, spec);
        return p;
    }

    private void readV2(MappingNode spec, Clusterfile.Parsed p) {
        Map<String, NodeTuple> f = fields(spec, "spec", SPEC_V2);
        p.image = nonEmpty(required(f, spec, "image", "spec"), "spec.image");
        if (f.containsKey("env")) {
            p.env = env(f.get("env").getValueNode(), "spec.env");
            referencedEnv(p.env, f.get("env").getValueNode(), "spec.env", p);
        }
        if (f.containsKey("cmd_args")) {
            p.cmdArgs = strings(f.get("cmd_args").getValueNode(), "spec.cmd_args");
        }
        if (f.containsKey("cmd")) {
            p.cmd = strings(f.get("cmd").getValueNode(), "spec.cmd");
        }
        if (f.containsKey("appNames")) {
            p.appNames = strings(f.get("appNames").getValueNode(), "spec.appNames");
        }
        if (f.containsKey("ssh")) {
            p.ssh = ssh(f.get("ssh").getValueNode(), "spec.ssh");
        }
        if (f.containsKey("registry")) {
            p.registry = registry(f.get("registry").getValueNode());
        }
        if (f.containsKey("dataRoot")) {
            Node n = f.get("dataRoot").getValueNode();
            p.dataRoot = scalar(n, "spec.dataRoot");
            if (!p.dataRoot.startsWith("/") || p.dataRoot.contains("..")) {
                throw error(n, "spec.dataRoot", "'" + p.dataRoot + "' must be an absolute path without '..'");
            }
        }
        hostTrust(f, p);
        if (f.containsKey("secretEnv")) {
            for (String name : strings(f.get("secretEnv").getValueNode(), "spec.secretEnv")) {
                if (!ENV_KEY.matcher(name).matches()) {
                    throw error(f.get("secretEnv").getValueNode(), "spec.secretEnv", "'" + name + "' is not an env name");
                }
                p.secretEnv.add(name);
            }
        }
        if (f.containsKey("infra")) {
            p.infra = infra(f.get("infra"), p.name);
            if (!f.containsKey("hosts")) {
                return; // the pool's nodes become the hosts when it is ready
            }
            if (requireMaster) { // a user's file; a stored one holds the pool's nodes as hosts
                throw error(f.get("hosts").getKeyNode(), "spec.hosts", "the hosts come from spec.infra's pool: give hosts or an infra "
                        + "section, not both");
            }
        }
        Node hostsNode = required(f, spec, "hosts", "spec");
        SequenceNode hosts = sequence(hostsNode, "spec.hosts");
        if (hosts.getValue().isEmpty()) {
            throw error(hostsNode, "spec.hosts", "at least one host group (ips and roles) is required");
        }
        for (int i = 0; i < hosts.getValue().size(); i++) {
            String path = "spec.hosts[" + i + "]";
            MappingNode g = mapping(hosts.getValue().get(i), path);
            Map<String, NodeTuple> gf = fields(g, path, HOST);
            Node ipsNode = required(gf, g, "ips", path);
            List<String> ips = ips(ipsNode, path + ".ips", p);
            Node rolesNode = required(gf, g, "roles", path);
            List<String> roles = strings(rolesNode, path + ".roles");
            if (roles.isEmpty()) {
                throw error(rolesNode, path + ".roles", "give at least one role (master or node)");
            }
            for (int r = 0; r < roles.size(); r++) {
                if (!ROLE.matcher(roles.get(r)).matches()) {
                    throw error(rolesNode, path + ".roles[" + r + "]", "'" + roles.get(r) + "' is not a role name (lower-case letters, digits, '-')");
                }
            }
            SshSpec ssh = gf.containsKey("ssh") ? ssh(gf.get("ssh").getValueNode(), path + ".ssh") : null;
            Map<String, String> env = gf.containsKey("env") ? env(gf.get("env").getValueNode(), path + ".env") : Map.of();
            if (gf.containsKey("env")) {
                referencedEnv(env, gf.get("env").getValueNode(), path + ".env", p);
            }
            Map<String, String> labels = gf.containsKey("labels") ? stringMap(gf.get("labels").getValueNode(), path + ".labels") : Map.of();
            List<String> taints = gf.containsKey("taints") ? strings(gf.get("taints").getValueNode(), path + ".taints") : List.of();
            p.hostGroups.add(new HostGroup(ips, roles, ssh, env, labels, taints));
        }
    }

    /**
     * {@code spec.infra}: {@code provider}, {@code masters} and optionally {@code nodes}, each with {@code count} and the
     * provider's {@code size} (machine type) and {@code image} (machine image). Which providers exist is infra-svc's
     * to say: a name it does not know fails the cluster with its list.
     */
    private InfraSpec infra(NodeTuple tuple, String clusterName) {
        MappingNode m = mapping(tuple.getValueNode(), "spec.infra");
        Map<String, NodeTuple> f = fields(m, "spec.infra", INFRA);
        if (clusterName.length() > MAX_POOL_NAME) {
            throw error(tuple.getKeyNode(), "metadata.name", "a cluster with an infra section names its pool, and a pool name has at "
                    + "most " + MAX_POOL_NAME + " characters; '" + clusterName + "' has " + clusterName.length());
        }
        String provider = nonEmpty(required(f, m, "provider", "spec.infra"), "spec.infra.provider");
        if (!NAME.matcher(provider).matches()) {
            throw error(f.get("provider").getValueNode(), "spec.infra.provider", "'" + provider + "' is not a provider name (lower-case "
                    + "letters, digits and '-')");
        }
        List<InfraSpec.Role> roles = new ArrayList<>();
        for (String key : List.of("masters", "nodes")) {
            String path = "spec.infra." + key;
            if (!f.containsKey(key)) {
                if (key.equals("masters")) {
                    throw error(m, path, "required: how many masters the pool makes, e.g. masters: {count: 3}");
                }
                continue;
            }
            MappingNode rm = mapping(f.get(key).getValueNode(), path);
            Map<String, NodeTuple> rf = fields(rm, path, INFRA_ROLE);
            Node countNode = required(rf, rm, "count", path);
            String text = scalar(countNode, path + ".count");
            int count;
            try {
                count = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw error(countNode, path + ".count", "'" + text + "' is not a whole number");
            }
            int least = key.equals("masters") ? 1 : 0;
            if (count < least || count > 1000) {
                throw error(countNode, path + ".count", "must be between " + least + " and 1000, was " + count);
            }
            String size = token(rf, path, "size");
            String image = token(rf, path, "image");
            if (count > 0) {
                roles.add(new InfraSpec.Role(key.equals("masters") ? "master" : "node", count, size, image));
            }
        }
        return new InfraSpec(provider, roles);
    }

    private String token(Map<String, NodeTuple> f, String path, String key) {
        String v = optional(f, key, path);
        if (v != null && (v.length() > 100 || !v.chars().allMatch(c -> c > 32 && c < 127))) {
            throw error(f.get(key).getValueNode(), path + "." + key, "'" + v + "' must be 1-100 printable characters without spaces");
        }
        return v;
    }

    /** v1: image, ssh, masters.ipList, nodes.ipList; the cloud-provider fields of v1 have no meaning here and are ignored. */
    private void readV1(MappingNode spec, Clusterfile.Parsed p) {
        Map<String, NodeTuple> f = fields(spec, "spec", null);
        p.image = nonEmpty(required(f, spec, "image", "spec"), "spec.image");
        if (f.containsKey("ssh")) {
            p.ssh = ssh(f.get("ssh").getValueNode(), "spec.ssh");
        }
        hostTrust(f, p);
        for (String role : List.of("masters", "nodes")) {
            if (!f.containsKey(role)) {
                continue;
            }
            MappingNode m = mapping(f.get(role).getValueNode(), "spec." + role);
            Map<String, NodeTuple> mf = fields(m, "spec." + role, null);
            if (mf.containsKey("ipList")) {
                List<String> ips = ips(mf.get("ipList").getValueNode(), "spec." + role + ".ipList", p);
                if (!ips.isEmpty()) {
                    p.hostGroups.add(new HostGroup(ips, List.of(role.equals("masters") ? "master" : "node"), null, Map.of(), Map.of(), List.of()));
                }
            }
        }
        if (p.hostGroups.isEmpty()) {
            throw error(spec, "spec.masters.ipList", "a v1 Clusterfile needs spec.masters.ipList (clusters on cloud providers are not supported)");
        }
    }

    /** {@code spec.hostKeys} (address to host key or fingerprint) and {@code spec.trustOnFirstUse}; see {@link HostKeys}. */
    private void hostTrust(Map<String, NodeTuple> f, Clusterfile.Parsed p) {
        if (f.containsKey("trustOnFirstUse")) {
            Node n = f.get("trustOnFirstUse").getValueNode();
            String v = scalar(n, "spec.trustOnFirstUse");
            if (!v.equals("true") && !v.equals("false")) {
                throw error(n, "spec.trustOnFirstUse", "'" + v + "' is not true or false");
            }
            p.trustOnFirstUse = v.equals("true");
        }
        if (!f.containsKey("hostKeys")) {
            return;
        }
        MappingNode m = mapping(f.get("hostKeys").getValueNode(), "spec.hostKeys");
        for (NodeTuple t : m.getValue()) {
            String ip = scalar(t.getKeyNode(), "spec.hostKeys");
            if (!isIp(ip)) {
                throw error(t.getKeyNode(), "spec.hostKeys", "\"" + ip + "\" is not an IP address");
            }
            String path = "spec.hostKeys." + ip;
            try {
                p.hostKeys.put(ip, io.slipway.ssh.HostKeyStore.normalized(scalar(t.getValueNode(), path)));
            } catch (IllegalArgumentException e) {
                throw error(t.getValueNode(), path, e.getMessage());
            }
        }
        p.hostKeyLines = Clusterfile.line(f.get("hostKeys").getKeyNode());
    }

    /** Env variables whose value names a deploy secret are secret themselves; a malformed reference is an error. */
    private void referencedEnv(Map<String, String> env, Node at, String path, Clusterfile.Parsed p) {
        env.forEach((k, v) -> {
            if (SecretRefs.refers(v)) {
                checkedReference(v, at, path + "." + k);
                p.secretEnv.add(k);
            }
        });
    }

    private void checkedReference(String value, Node at, String path) {
        try {
            SecretRefs.names(value);
        } catch (IllegalArgumentException e) {
            throw error(at, path, e.getMessage());
        }
    }

    private void validate(Clusterfile.Parsed p, MappingNode spec) {
        if (requireMaster) {
            for (String ip : p.hostKeys.keySet()) {
                if (!p.hostLines.containsKey(ip)) {
                    throw new ClusterfileException(file, p.hostKeyLines, "spec.hostKeys." + ip, ip + " is not a host of this Clusterfile");
                }
            }
        }
        if (requireMaster && p.infra == null && p.hostGroups.stream().noneMatch(g -> g.roles().contains("master"))) {
            throw error(spec, "spec.hosts", "no host has the role master: give at least one");
        }
        for (int i = 0; i < p.hostGroups.size(); i++) {
            HostGroup g = p.hostGroups.get(i);
            SshSpec effective = p.ssh.overriddenBy(g.ssh());
            if (!effective.hasCredentials()) {
                String ip = g.ips().get(0);
                throw new ClusterfileException(file, p.hostLines.getOrDefault(ip, 0), "spec.hosts[" + i + "].ssh",
                        "no ssh password or private key for " + ip + ": set spec.ssh.passwd or spec.ssh.pk (or the group's ssh)");
            }
        }
    }

    private List<String> ips(Node node, String path, Clusterfile.Parsed p) {
        List<String> ips = new ArrayList<>();
        List<Node> items = node instanceof SequenceNode s ? s.getValue() : List.of(node);
        if (items.isEmpty()) {
            throw error(node, path, "give at least one IP address");
        }
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            // sealer accepts "a,b" in one scalar too
            for (String raw : scalar(item, path + "[" + i + "]").split(",")) {
                String ip = raw.strip();
                if (ip.isEmpty()) {
                    continue;
                }
                if (!isIp(ip)) {
                    throw error(item, path + "[" + i + "]", "\"" + ip + "\" is not an IP address");
                }
                if (p.hostLines.containsKey(ip)) {
                    throw error(item, path + "[" + i + "]", ip + " is listed twice (first on line " + p.hostLines.get(ip) + ")");
                }
                p.hostLines.put(ip, Clusterfile.line(item));
                ips.add(ip);
            }
        }
        return ips;
    }

    static boolean isIp(String s) {
        if (IPV4.matcher(s).matches()) {
            return true;
        }
        if (!s.contains(":") || !s.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(s); // a literal: no name lookup happens
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private SshSpec ssh(Node node, String path) {
        MappingNode m = mapping(node, path);
        Map<String, NodeTuple> f = fields(m, path, SSH);
        Integer port = null;
        if (f.containsKey("port")) {
            Node pn = f.get("port").getValueNode();
            String text = scalar(pn, path + ".port");
            try {
                port = text.isEmpty() ? null : Integer.parseInt(text);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port != null && (port < 1 || port > 65535)) {
                throw error(pn, path + ".port", "'" + text + "' is not a TCP port (1-65535)");
            }
        }
        String password = optional(f, "passwd", path);
        String pk = optional(f, "pk", path);
        String pkPassword = optional(f, "pkPasswd", path);
        Map<String, String> secretFields = new LinkedHashMap<>();
        secretFields.put("passwd", password);
        secretFields.put("pk", pk);
        secretFields.put("pkPasswd", pkPassword);
        secretFields.forEach((field, v) -> {
            if (SecretRefs.refers(v)) {
                checkedReference(v, f.get(field).getValueNode(), path + "." + field);
            }
        });
        if (requireMaster && pk != null && !pk.isBlank() && !pk.strip().startsWith("-----BEGIN") && !SecretRefs.refers(pk)) {
            throw error(f.get("pk").getValueNode(), path + ".pk", "give the private key itself (its PEM text, e.g. 'pk: |' followed by "
                    + "the key's lines), not a file name: deploy-svc reads no file of its own machine for a Clusterfile (slipway apply "
                    + "puts the content of a file on your machine in its place)");
        }
        return new SshSpec(optional(f, "user", path), password, pk, pkPassword, port);
    }

    private RegistrySpec registry(Node node) {
        MappingNode m = mapping(node, "spec.registry");
        Map<String, NodeTuple> f = fields(m, "spec.registry", Set.of("localRegistry", "externalRegistry"));
        String localDomain = null;
        Integer localPort = null;
        String extDomain = null;
        String extUser = null;
        String extPassword = null;
        if (f.containsKey("localRegistry")) {
            Map<String, NodeTuple> l = fields(mapping(f.get("localRegistry").getValueNode(), "spec.registry.localRegistry"),
                    "spec.registry.localRegistry", null);
            localDomain = optional(l, "domain", "spec.registry.localRegistry");
            String port = optional(l, "port", "spec.registry.localRegistry");
            if (port != null) {
                try {
                    localPort = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    throw error(l.get("port").getValueNode(), "spec.registry.localRegistry.port", "'" + port + "' is not a TCP port");
                }
            }
        }
        if (f.containsKey("externalRegistry")) {
            Map<String, NodeTuple> x = fields(mapping(f.get("externalRegistry").getValueNode(), "spec.registry.externalRegistry"),
                    "spec.registry.externalRegistry", null);
            extDomain = optional(x, "domain", "spec.registry.externalRegistry");
            extUser = optional(x, "username", "spec.registry.externalRegistry");
            extPassword = optional(x, "password", "spec.registry.externalRegistry");
        }
        return new RegistrySpec(localDomain, localPort, extDomain, extUser, extPassword);
    }

    private Map<String, String> env(Node node, String path) {
        Map<String, String> env = new LinkedHashMap<>();
        if (node instanceof MappingNode m) { // a map is accepted too: KEY: value
            stringMap(m, path).forEach(env::put);
            return env;
        }
        List<String> entries = strings(node, path);
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i);
            int eq = e.indexOf('=');
            String key = eq < 0 ? "" : e.substring(0, eq).strip();
            if (eq < 0 || !ENV_KEY.matcher(key).matches()) {
                Node at = node instanceof SequenceNode s ? s.getValue().get(i) : node;
                throw error(at, path + "[" + i + "]", "an env entry is KEY=VALUE (KEY of letters, digits, '_', '.', '-'); got '"
                        + (eq < 0 ? e : key) + "'");
            }
            env.put(key, e.substring(eq + 1));
        }
        return env;
    }

    private Map<String, String> stringMap(Node node, String path) {
        MappingNode m = mapping(node, path);
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode(), path);
            out.put(key, scalar(t.getValueNode(), path + "." + key));
        }
        return out;
    }

    private List<String> strings(Node node, String path) {
        if (node instanceof ScalarNode s && (s.getValue().isEmpty() || "null".equals(s.getValue()))) {
            return List.of();
        }
        SequenceNode seq = sequence(node, path);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            out.add(scalar(seq.getValue().get(i), path + "[" + i + "]"));
        }
        return out;
    }

    /** The mapping's entries by key; with {@code known}, an unknown key is an error suggesting the nearest known one. */
    private Map<String, NodeTuple> fields(MappingNode m, String path, Set<String> known) {
        Map<String, NodeTuple> out = new HashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode(), path);
            String fieldPath = path.isEmpty() ? key : path + "." + key;
            if (known != null && !known.contains(key)) {
                String nearest = known.stream().min(Comparator.comparingInt(k -> distance(k.toLowerCase(), key.toLowerCase()))).orElse("");
                throw error(t.getKeyNode(), fieldPath, "unknown field" + (distance(nearest, key) <= 3 ? " (did you mean " + nearest + "?)"
                        : " (known: " + String.join(", ", known.stream().sorted().toList()) + ")"));
            }
            out.put(key, t);
        }
        return out;
    }

    private Node required(Map<String, NodeTuple> f, Node parent, String key, String path) {
        NodeTuple t = f.get(key);
        if (t == null) {
            throw error(parent, path.isEmpty() ? key : path + "." + key, "required");
        }
        return t.getValueNode();
    }

    private String optional(Map<String, NodeTuple> f, String key, String path) {
        NodeTuple t = f.get(key);
        if (t == null) {
            return null;
        }
        String v = scalar(t.getValueNode(), path + "." + key);
        return v.isEmpty() || "null".equals(v) ? null : v;
    }

    String optionalScalar(MappingNode m, String key) {
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key) && t.getValueNode() instanceof ScalarNode v) {
                return v.getValue();
            }
        }
        return null;
    }

    private String nonEmpty(Node n, String path) {
        String v = scalar(n, path);
        if (v.isBlank()) {
            throw error(n, path, "must not be empty");
        }
        return v;
    }

    private String scalar(Node n, String path) {
        if (!(n instanceof ScalarNode s)) {
            throw error(n, path, "expected a single value, found a " + kind(n));
        }
        return s.getValue();
    }

    private MappingNode mapping(Node n, String path) {
        if (!(n instanceof MappingNode m)) {
            throw error(n, path, "expected a mapping (key: value), found a " + kind(n));
        }
        return m;
    }

    private SequenceNode sequence(Node n, String path) {
        if (!(n instanceof SequenceNode s)) {
            throw error(n, path, "expected a list, found a " + kind(n));
        }
        return s;
    }

    private static String kind(Node n) {
        return n instanceof MappingNode ? "mapping" : n instanceof SequenceNode ? "list" : "value";
    }

    private ClusterfileException error(Node at, String field, String problem) {
        return new ClusterfileException(file, Clusterfile.line(at), field, problem);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
