package io.slipway.deploy.clusterfile;

import io.slipway.yaml.YamlNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

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

    Clusterfile.Parsed cluster(YamlNode doc) {
        Map<String, YamlNode> top = fields(doc, "", TOP);
        String apiVersion = scalar(required(top, doc, "apiVersion", ""), "apiVersion");
        boolean v1 = Clusterfile.V1_VERSIONS.contains(apiVersion);
        if (!v1 && !Clusterfile.V2_VERSIONS.contains(apiVersion)) {
            throw error(top.get("apiVersion"), "apiVersion", "'" + apiVersion + "' is not a Clusterfile version: use "
                    + Clusterfile.API_V2 + " (or import a v1 file: sealer.aliyun.com/v1alpha1, sealer.cloud/v1)");
        }
        Clusterfile.Parsed p = new Clusterfile.Parsed();
        YamlNode metadata = mapping(required(top, doc, "metadata", ""), "metadata");
        YamlNode nameNode = required(fields(metadata, "metadata", null), metadata, "name", "metadata");
        p.name = scalar(nameNode, "metadata.name");
        if (p.name.length() > 63 || !NAME.matcher(p.name).matches()) {
            throw error(nameNode, "metadata.name", "'" + p.name + "' must be lower-case letters, digits and '-' (at most 63), "
                    + "starting and ending with a letter or digit");
        }
        YamlNode spec = mapping(required(top, doc, "spec", ""), "spec");
        if (v1) {
            readV1(spec, p);
        } else {
            readV2(spec, p);
        }
        validate(p, spec);
        return p;
    }

    private void readV2(YamlNode spec, Clusterfile.Parsed p) {
        Map<String, YamlNode> f = fields(spec, "spec", SPEC_V2);
        p.image = nonEmpty(required(f, spec, "image", "spec"), "spec.image");
        if (f.containsKey("env")) {
            p.env = env(f.get("env"), "spec.env");
            referencedEnv(p.env, f.get("env"), "spec.env", p);
        }
        if (f.containsKey("cmd_args")) {
            p.cmdArgs = strings(f.get("cmd_args"), "spec.cmd_args");
        }
        if (f.containsKey("cmd")) {
            p.cmd = strings(f.get("cmd"), "spec.cmd");
        }
        if (f.containsKey("appNames")) {
            p.appNames = strings(f.get("appNames"), "spec.appNames");
        }
        if (f.containsKey("ssh")) {
            p.ssh = ssh(f.get("ssh"), "spec.ssh");
        }
        if (f.containsKey("registry")) {
            p.registry = registry(f.get("registry"));
        }
        if (f.containsKey("dataRoot")) {
            YamlNode n = f.get("dataRoot");
            p.dataRoot = scalar(n, "spec.dataRoot");
            if (!p.dataRoot.startsWith("/") || p.dataRoot.contains("..")) {
                throw error(n, "spec.dataRoot", "'" + p.dataRoot + "' must be an absolute path without '..'");
            }
        }
        hostTrust(f, p);
        if (f.containsKey("secretEnv")) {
            for (String name : strings(f.get("secretEnv"), "spec.secretEnv")) {
                if (!ENV_KEY.matcher(name).matches()) {
                    throw error(f.get("secretEnv"), "spec.secretEnv", "'" + name + "' is not an env name");
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
                throw errorAtKey(f.get("hosts"), "spec.hosts", "the hosts come from spec.infra's pool: give hosts or an infra "
                        + "section, not both");
            }
        }
        YamlNode hostsNode = required(f, spec, "hosts", "spec");
        List<YamlNode> hosts = sequence(hostsNode, "spec.hosts").items();
        if (hosts.isEmpty()) {
            throw error(hostsNode, "spec.hosts", "at least one host group (ips and roles) is required");
        }
        for (int i = 0; i < hosts.size(); i++) {
            String path = "spec.hosts[" + i + "]";
            YamlNode g = mapping(hosts.get(i), path);
            Map<String, YamlNode> gf = fields(g, path, HOST);
            YamlNode ipsNode = required(gf, g, "ips", path);
            List<String> ips = ips(ipsNode, path + ".ips", p);
            YamlNode rolesNode = required(gf, g, "roles", path);
            List<String> roles = strings(rolesNode, path + ".roles");
            if (roles.isEmpty()) {
                throw error(rolesNode, path + ".roles", "give at least one role (master or node)");
            }
            for (int r = 0; r < roles.size(); r++) {
                if (!ROLE.matcher(roles.get(r)).matches()) {
                    throw error(rolesNode, path + ".roles[" + r + "]", "'" + roles.get(r) + "' is not a role name (lower-case letters, digits, '-')");
                }
            }
            SshSpec ssh = gf.containsKey("ssh") ? ssh(gf.get("ssh"), path + ".ssh") : null;
            Map<String, String> env = gf.containsKey("env") ? env(gf.get("env"), path + ".env") : Map.of();
            if (gf.containsKey("env")) {
                referencedEnv(env, gf.get("env"), path + ".env", p);
            }
            Map<String, String> labels = gf.containsKey("labels") ? stringMap(gf.get("labels"), path + ".labels") : Map.of();
            List<String> taints = gf.containsKey("taints") ? strings(gf.get("taints"), path + ".taints") : List.of();
            p.hostGroups.add(new HostGroup(ips, roles, ssh, env, labels, taints));
        }
    }

    /**
     * {@code spec.infra}: {@code provider}, {@code masters} and optionally {@code nodes}, each with {@code count} and the
     * provider's {@code size} (machine type) and {@code image} (machine image). Which providers exist is infra-svc's
     * to say: a name it does not know fails the cluster with its list.
     */
    private InfraSpec infra(YamlNode section, String clusterName) {
        YamlNode m = mapping(section, "spec.infra");
        Map<String, YamlNode> f = fields(m, "spec.infra", INFRA);
        if (clusterName.length() > MAX_POOL_NAME) {
            throw errorAtKey(section, "metadata.name", "a cluster with an infra section names its pool, and a pool name has at "
                    + "most " + MAX_POOL_NAME + " characters; '" + clusterName + "' has " + clusterName.length());
        }
        String provider = nonEmpty(required(f, m, "provider", "spec.infra"), "spec.infra.provider");
        if (!NAME.matcher(provider).matches()) {
            throw error(f.get("provider"), "spec.infra.provider", "'" + provider + "' is not a provider name (lower-case "
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
            YamlNode rm = mapping(f.get(key), path);
            Map<String, YamlNode> rf = fields(rm, path, INFRA_ROLE);
            YamlNode countNode = required(rf, rm, "count", path);
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

    private String token(Map<String, YamlNode> f, String path, String key) {
        String v = optional(f, key, path);
        if (v != null && (v.length() > 100 || !v.chars().allMatch(c -> c > 32 && c < 127))) {
            throw error(f.get(key), path + "." + key, "'" + v + "' must be 1-100 printable characters without spaces");
        }
        return v;
    }

    /** v1: image, ssh, masters.ipList, nodes.ipList; the cloud-provider fields of v1 have no meaning here and are ignored. */
    private void readV1(YamlNode spec, Clusterfile.Parsed p) {
        Map<String, YamlNode> f = fields(spec, "spec", null);
        p.image = nonEmpty(required(f, spec, "image", "spec"), "spec.image");
        if (f.containsKey("ssh")) {
            p.ssh = ssh(f.get("ssh"), "spec.ssh");
        }
        hostTrust(f, p);
        for (String role : List.of("masters", "nodes")) {
            if (!f.containsKey(role)) {
                continue;
            }
            YamlNode m = mapping(f.get(role), "spec." + role);
            Map<String, YamlNode> mf = fields(m, "spec." + role, null);
            if (mf.containsKey("ipList")) {
                List<String> ips = ips(mf.get("ipList"), "spec." + role + ".ipList", p);
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
    private void hostTrust(Map<String, YamlNode> f, Clusterfile.Parsed p) {
        if (f.containsKey("trustOnFirstUse")) {
            YamlNode n = f.get("trustOnFirstUse");
            String v = scalar(n, "spec.trustOnFirstUse");
            if (!v.equals("true") && !v.equals("false")) {
                throw error(n, "spec.trustOnFirstUse", "'" + v + "' is not true or false");
            }
            p.trustOnFirstUse = v.equals("true");
        }
        if (!f.containsKey("hostKeys")) {
            return;
        }
        YamlNode m = mapping(f.get("hostKeys"), "spec.hostKeys");
        for (Map.Entry<String, YamlNode> t : m.entries().entrySet()) {
            String ip = t.getKey();
            if (!isIp(ip)) {
                throw errorAtKey(t.getValue(), "spec.hostKeys", "\"" + ip + "\" is not an IP address");
            }
            String path = "spec.hostKeys." + ip;
            try {
                p.hostKeys.put(ip, io.slipway.ssh.HostKeyStore.normalized(scalar(t.getValue(), path)));
            } catch (IllegalArgumentException e) {
                throw error(t.getValue(), path, e.getMessage());
            }
        }
        p.hostKeyLines = f.get("hostKeys").keyLine();
    }

    /** Env variables whose value names a deploy secret are secret themselves; a malformed reference is an error. */
    private void referencedEnv(Map<String, String> env, YamlNode at, String path, Clusterfile.Parsed p) {
        env.forEach((k, v) -> {
            if (SecretRefs.refers(v)) {
                checkedReference(v, at, path + "." + k);
                p.secretEnv.add(k);
            }
        });
    }

    private void checkedReference(String value, YamlNode at, String path) {
        try {
            SecretRefs.names(value);
        } catch (IllegalArgumentException e) {
            throw error(at, path, e.getMessage());
        }
    }

    private void validate(Clusterfile.Parsed p, YamlNode spec) {
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

    private List<String> ips(YamlNode node, String path, Clusterfile.Parsed p) {
        List<String> ips = new ArrayList<>();
        List<YamlNode> items = node.isList() ? node.items() : List.of(node);
        if (items.isEmpty()) {
            throw error(node, path, "give at least one IP address");
        }
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
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
                p.hostLines.put(ip, item.line());
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

    private SshSpec ssh(YamlNode node, String path) {
        YamlNode m = mapping(node, path);
        Map<String, YamlNode> f = fields(m, path, SSH);
        Integer port = null;
        if (f.containsKey("port")) {
            YamlNode pn = f.get("port");
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
                checkedReference(v, f.get(field), path + "." + field);
            }
        });
        if (requireMaster && pk != null && !pk.isBlank() && !pk.strip().startsWith("-----BEGIN") && !SecretRefs.refers(pk)) {
            throw error(f.get("pk"), path + ".pk", "give the private key itself (its PEM text, e.g. 'pk: |' followed by "
                    + "the key's lines), not a file name: deploy-svc reads no file of its own machine for a Clusterfile (slipway apply "
                    + "puts the content of a file on your machine in its place)");
        }
        return new SshSpec(optional(f, "user", path), password, pk, pkPassword, port);
    }

    private RegistrySpec registry(YamlNode node) {
        YamlNode m = mapping(node, "spec.registry");
        Map<String, YamlNode> f = fields(m, "spec.registry", Set.of("localRegistry", "externalRegistry"));
        String localDomain = null;
        Integer localPort = null;
        String extDomain = null;
        String extUser = null;
        String extPassword = null;
        if (f.containsKey("localRegistry")) {
            Map<String, YamlNode> l = fields(mapping(f.get("localRegistry"), "spec.registry.localRegistry"),
                    "spec.registry.localRegistry", null);
            localDomain = optional(l, "domain", "spec.registry.localRegistry");
            String port = optional(l, "port", "spec.registry.localRegistry");
            if (port != null) {
                try {
                    localPort = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    throw error(l.get("port"), "spec.registry.localRegistry.port", "'" + port + "' is not a TCP port");
                }
            }
        }
        if (f.containsKey("externalRegistry")) {
            Map<String, YamlNode> x = fields(mapping(f.get("externalRegistry"), "spec.registry.externalRegistry"),
                    "spec.registry.externalRegistry", null);
            extDomain = optional(x, "domain", "spec.registry.externalRegistry");
            extUser = optional(x, "username", "spec.registry.externalRegistry");
            extPassword = optional(x, "password", "spec.registry.externalRegistry");
        }
        return new RegistrySpec(localDomain, localPort, extDomain, extUser, extPassword);
    }

    private Map<String, String> env(YamlNode node, String path) {
        Map<String, String> env = new LinkedHashMap<>();
        if (node.isMap()) { // a map is accepted too: KEY: value
            stringMap(node, path).forEach(env::put);
            return env;
        }
        List<String> entries = strings(node, path);
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i);
            int eq = e.indexOf('=');
            String key = eq < 0 ? "" : e.substring(0, eq).strip();
            if (eq < 0 || !ENV_KEY.matcher(key).matches()) {
                YamlNode at = node.isList() ? node.items().get(i) : node;
                throw error(at, path + "[" + i + "]", "an env entry is KEY=VALUE (KEY of letters, digits, '_', '.', '-'); got '"
                        + (eq < 0 ? e : key) + "'");
            }
            env.put(key, e.substring(eq + 1));
        }
        return env;
    }

    private Map<String, String> stringMap(YamlNode node, String path) {
        YamlNode m = mapping(node, path);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> t : m.entries().entrySet()) {
            out.put(t.getKey(), scalar(t.getValue(), path + "." + t.getKey()));
        }
        return out;
    }

    private List<String> strings(YamlNode node, String path) {
        if (node.isNull() || "".equals(node.text()) || "null".equals(node.text())) {
            return List.of();
        }
        List<YamlNode> items = sequence(node, path).items();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(scalar(items.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    /** The mapping's entries by key; with {@code known}, an unknown key is an error suggesting the nearest known one. */
    private Map<String, YamlNode> fields(YamlNode m, String path, Set<String> known) {
        Map<String, YamlNode> out = m.entries();
        for (Map.Entry<String, YamlNode> t : out.entrySet()) {
            String key = t.getKey();
            String fieldPath = path.isEmpty() ? key : path + "." + key;
            if (known != null && !known.contains(key)) {
                String nearest = known.stream().min(Comparator.comparingInt(k -> distance(k.toLowerCase(), key.toLowerCase()))).orElse("");
                throw errorAtKey(t.getValue(), fieldPath, "unknown field" + (distance(nearest, key) <= 3 ? " (did you mean " + nearest + "?)"
                        : " (known: " + String.join(", ", known.stream().sorted().toList()) + ")"));
            }
        }
        return out;
    }

    private YamlNode required(Map<String, YamlNode> f, YamlNode parent, String key, String path) {
        YamlNode t = f.get(key);
        if (t == null) {
            throw error(parent, path.isEmpty() ? key : path + "." + key, "required");
        }
        return t;
    }

    private String optional(Map<String, YamlNode> f, String key, String path) {
        YamlNode t = f.get(key);
        if (t == null) {
            return null;
        }
        String v = scalar(t, path + "." + key);
        return v.isEmpty() || "null".equals(v) ? null : v;
    }

    private String nonEmpty(YamlNode n, String path) {
        String v = scalar(n, path);
        if (v.isBlank()) {
            throw error(n, path, "must not be empty");
        }
        return v;
    }

    /** A value as written; a key with nothing after it ({@code dataRoot:}) is the empty string. */
    private String scalar(YamlNode n, String path) {
        if (n.isNull()) {
            return "";
        }
        if (!n.isScalar()) {
            throw error(n, path, "expected a single value, found a " + kind(n));
        }
        return n.scalar();
    }

    private YamlNode mapping(YamlNode n, String path) {
        if (!n.isMap()) {
            throw error(n, path, "expected a mapping (key: value), found a " + kind(n));
        }
        return n;
    }

    private YamlNode sequence(YamlNode n, String path) {
        if (!n.isList()) {
            throw error(n, path, "expected a list, found a " + kind(n));
        }
        return n;
    }

    private static String kind(YamlNode n) {
        return n.isMap() ? "mapping" : n.isList() ? "list" : "value";
    }

    private ClusterfileException error(YamlNode at, String field, String problem) {
        return new ClusterfileException(file, at.line(), field, problem);
    }

    /** An error on the line of the key {@code at} is written under, for a field that should not be there at all. */
    private ClusterfileException errorAtKey(YamlNode at, String field, String problem) {
        return new ClusterfileException(file, at.keyLine(), field, problem);
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
