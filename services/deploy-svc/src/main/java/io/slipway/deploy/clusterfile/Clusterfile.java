package io.slipway.deploy.clusterfile;

import io.slipway.yaml.YamlError;
import io.slipway.yaml.YamlNode;
import io.slipway.yaml.YamlReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * sealer's Clusterfile: {@code apiVersion: sealer.io/v2} (or {@code sealer.cloud/v2}), {@code kind: Cluster}, with
 * v1 ({@code sealer.aliyun.com/v1alpha1}, {@code sealer.cloud/v1}) imported. Other documents of a multi-document file
 * (Config, Plugin, ...) are kept as they are. Every problem is a {@link ClusterfileException} naming line and field.
 *
 * @param hostKeys  the hosts' SSH keys the operator gave, and whether hosts with none may be trusted on first use
 * @param secretEnv env names whose values are secret besides those whose name says so ({@code spec.secretEnv}, and every
 *                  variable whose value names a deploy secret, {@code ${secret:<name>}})
 * @param infra     where the hosts come from when they are not listed: a pool infra-svc makes (null for listed hosts); once
 *                  the pool is ready, its nodes are the host groups
 * @param hostLines the line each host address was written on, for errors found later (not part of the cluster's meaning)
 */
public record Clusterfile(String name, String image, Map<String, String> env, List<String> cmdArgs, List<String> cmd,
                          List<String> appNames, SshSpec ssh, List<HostGroup> hostGroups, InfraSpec infra, RegistrySpec registry, String dataRoot,
                          HostKeys hostKeys, List<String> secretEnv, List<String> otherDocuments, Map<String, Integer> hostLines) {

    public static final String API_V2 = "sealer.io/v2";
    public static final String DEFAULT_DATA_ROOT = "/var/lib/slipway";
    static final Set<String> V2_VERSIONS = Set.of(API_V2, "sealer.cloud/v2");
    /** SnakeYAML's default limit, which Clusterfiles with long Config documents were read under before. */
    private static final int MAX_CODE_POINTS = 3 * 1024 * 1024;
    static final Set<String> V1_VERSIONS = Set.of("sealer.aliyun.com/v1alpha1", "sealer.cloud/v1");

    public Clusterfile {
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        cmdArgs = cmdArgs == null ? List.of() : List.copyOf(cmdArgs);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        appNames = appNames == null ? List.of() : List.copyOf(appNames);
        ssh = ssh == null ? SshSpec.EMPTY : ssh;
        hostGroups = List.copyOf(hostGroups);
        registry = registry == null ? RegistrySpec.NONE : registry;
        dataRoot = dataRoot == null || dataRoot.isBlank() ? DEFAULT_DATA_ROOT : dataRoot;
        hostKeys = hostKeys == null ? HostKeys.NONE : hostKeys;
        secretEnv = secretEnv == null ? List.of() : List.copyOf(new LinkedHashSet<>(secretEnv));
        otherDocuments = otherDocuments == null ? List.of() : List.copyOf(otherDocuments);
        hostLines = hostLines == null ? Map.of() : Map.copyOf(hostLines);
    }

    /** Parses and validates {@code text}; {@code file} is the name errors are reported against. */
    public static Clusterfile parse(String text, String file) {
        return parse(text, file, true);
    }

    /**
     * Parses a Clusterfile this service stored: it was validated when accepted, but a delete that stopped half-way keeps
     * only the hosts still to clean, which may all be nodes, and that cluster must stay deletable.
     */
    public static Clusterfile stored(String text) {
        return parse(text, "Clusterfile", false);
    }

    private static Clusterfile parse(String text, String file, boolean requireMaster) {
        List<YamlNode> documents = new ArrayList<>();
        try {
            for (YamlNode n : YamlReader.strict().maxCodePoints(MAX_CODE_POINTS).readAll(text)) {
                if (!n.isNull()) {
                    documents.add(n);
                }
            }
            return parse(documents, text, file, requireMaster);
        } catch (YamlError e) { // not YAML, or a key written twice
            throw new ClusterfileException(file, e.line(), e.path(), e.problem());
        }
    }

    private static Clusterfile parse(List<YamlNode> documents, String text, String file, boolean requireMaster) {
        ClusterfileReader reader = new ClusterfileReader(file, requireMaster);
        Parsed cluster = null;
        List<String> others = new ArrayList<>();
        for (YamlNode doc : documents) {
            if (!doc.isMap()) {
                throw new ClusterfileException(file, doc.line(), "", "a document must be a mapping with apiVersion and kind");
            }
            YamlNode kind = doc.get("kind");
            if (kind == null || !"Cluster".equals(kind.text())) {
                others.add(text.substring(doc.start(), doc.end()).strip() + "\n");
                continue;
            }
            if (cluster != null) {
                throw new ClusterfileException(file, doc.line(), "kind", "a Clusterfile holds one Cluster; this is the second");
            }
            cluster = reader.cluster(doc);
        }
        if (cluster == null) {
            throw new ClusterfileException(file, documents.isEmpty() ? 0 : 1, "kind", "no document of kind Cluster");
        }
        return new Clusterfile(cluster.name, cluster.image, cluster.env, cluster.cmdArgs, cluster.cmd, cluster.appNames, cluster.ssh,
                cluster.hostGroups, cluster.infra, cluster.registry, cluster.dataRoot, new HostKeys(cluster.hostKeys, cluster.trustOnFirstUse),
                cluster.secretEnv, others, cluster.hostLines);
    }

    /** Every host in file order, with its effective ssh (group over cluster) and env (cluster, then group). */
    public List<ClusterHost> hosts() {
        List<ClusterHost> hosts = new ArrayList<>();
        for (HostGroup g : hostGroups) {
            Map<String, String> merged = new LinkedHashMap<>(env);
            merged.putAll(g.env());
            for (String ip : g.ips()) {
                hosts.add(new ClusterHost(ip, g.roles(), ssh.overriddenBy(g.ssh()), merged, g.labels(), g.taints()));
            }
        }
        return hosts;
    }

    public List<ClusterHost> masters() {
        return hosts().stream().filter(ClusterHost::isMaster).toList();
    }

    public List<ClusterHost> nodes() {
        return hosts().stream().filter(h -> !h.isMaster()).toList();
    }

    /** This Clusterfile with {@code masters} and {@code nodes} added as new host groups (cluster-wide ssh), as a join does. */
    public Clusterfile withHosts(List<String> masters, List<String> nodes) {
        List<HostGroup> groups = new ArrayList<>(hostGroups);
        if (!masters.isEmpty()) {
            groups.add(new HostGroup(masters, List.of("master"), null, Map.of(), Map.of(), List.of()));
        }
        if (!nodes.isEmpty()) {
            groups.add(new HostGroup(nodes, List.of("node"), null, Map.of(), Map.of(), List.of()));
        }
        return withGroups(groups);
    }

    /** This Clusterfile without {@code ips} (groups left empty are dropped), as a scale-down does. */
    public Clusterfile withoutHosts(Collection<String> ips) {
        List<HostGroup> groups = new ArrayList<>();
        for (HostGroup g : hostGroups) {
            List<String> kept = g.ips().stream().filter(ip -> !ips.contains(ip)).toList();
            if (!kept.isEmpty()) {
                groups.add(new HostGroup(kept, g.roles(), g.ssh(), g.env(), g.labels(), g.taints()));
            }
        }
        return withGroups(groups);
    }

    /** This Clusterfile with these host groups in place of its own (its pool's nodes, handed over or kept). */
    public Clusterfile withHostGroups(List<HostGroup> groups) {
        return withGroups(groups);
    }

    /**
     * This Clusterfile with its infra section's counts set to the hosts it has (a pool that could not grow keeps the
     * nodes it had); roles without a host are dropped, except master.
     */
    public Clusterfile withInfraOfItsHosts() {
        if (infra == null) {
            return this;
        }
        List<InfraSpec.Role> roles = new ArrayList<>();
        for (InfraSpec.Role r : infra.roles()) {
            int n = (int) hosts().stream().filter(h -> h.roles().contains(r.role())).count();
            if (n > 0 || r.role().equals("master")) {
                roles.add(new InfraSpec.Role(r.role(), n, r.size(), r.image()));
            }
        }
        return new Clusterfile(name, image, env, cmdArgs, cmd, appNames, ssh, hostGroups, new InfraSpec(infra.provider(), roles), registry,
                dataRoot, hostKeys, secretEnv, otherDocuments, hostLines);
    }

    /** True when the hosts come from a pool that has not been handed over yet. */
    public boolean awaitsPool() {
        return infra != null && hostGroups.isEmpty();
    }

    private Clusterfile withGroups(List<HostGroup> groups) {
        Set<String> ips = new LinkedHashSet<>();
        groups.forEach(g -> ips.addAll(g.ips()));
        return new Clusterfile(name, image, env, cmdArgs, cmd, appNames, ssh, groups, infra, registry, dataRoot, hostKeys.keeping(ips),
                secretEnv, otherDocuments, hostLines);
    }

    /** This Clusterfile with these host keys (a join adds its hosts' keys, and asks for trust on first use or not). */
    public Clusterfile withHostKeys(HostKeys keys) {
        return new Clusterfile(name, image, env, cmdArgs, cmd, appNames, ssh, hostGroups, infra, registry, dataRoot, keys, secretEnv,
                otherDocuments, hostLines);
    }

    /**
     * A copy with every secret replaced by {@code ******}, for events and REST: passwords, keys, the registry password,
     * env values of secret names, and those values wherever cmd, cmd_args or the other documents repeat them
     * ({@link ClusterSecrets}).
     */
    public Clusterfile masked() {
        ClusterSecrets secrets = ClusterSecrets.of(this);
        List<HostGroup> groups = hostGroups.stream().map(g -> new HostGroup(g.ips(), g.roles(), g.ssh() == null ? null : g.ssh().masked(),
                maskedEnv(g.env()), g.labels(), g.taints())).toList();
        return new Clusterfile(name, image, maskedEnv(env), cmdArgs.stream().map(secrets::scrub).toList(),
                cmd.stream().map(secrets::scrub).toList(), appNames, ssh.masked(), groups, infra, registry.masked(), dataRoot, hostKeys,
                secretEnv, otherDocuments.stream().map(secrets::scrub).toList(), hostLines);
    }

    /** Whether the env variable {@code name} holds a secret: by its name, or marked in {@code secretEnv}. */
    public boolean secretEnv(String name) {
        return ClusterSecrets.secretName(name) || secretEnv.contains(name);
    }

    private Map<String, String> maskedEnv(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, secretEnv(k) ? ClusterSecrets.MASK : v));
        return out;
    }

    /** The deploy secrets this Clusterfile names ({@code ${secret:<name>}}), in its ssh, registry and env values. */
    public java.util.Set<String> secretReferences() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        forEachSecretField((path, envName, v) -> names.addAll(SecretRefs.names(v)));
        return names;
    }

    /** This Clusterfile with each {@code ${secret:<name>}} replaced by its value (every name must be in {@code values}). */
    public Clusterfile withSecrets(Map<String, String> values) {
        java.util.function.UnaryOperator<String> r = v -> SecretRefs.resolve(v, values);
        List<HostGroup> groups = hostGroups.stream().map(g -> new HostGroup(g.ips(), g.roles(), resolved(g.ssh(), r), resolvedEnv(g.env(), r),
                g.labels(), g.taints())).toList();
        RegistrySpec reg = new RegistrySpec(registry.localDomain(), registry.localPort(), registry.externalDomain(),
                registry.externalUsername(), r.apply(registry.externalPassword()));
        return new Clusterfile(name, image, resolvedEnv(env, r), cmdArgs, cmd, appNames, resolved(ssh, r), groups, infra, reg, dataRoot,
                hostKeys, secretEnv, otherDocuments, hostLines);
    }

    /**
     * Each value that may be or name a secret, given to {@code field} with its place in the document and the env
     * variable's name (null for the others): SSH passwords, keys and passphrases (the cluster's and every group's), the
     * registry password, and every env value.
     */
    void forEachSecretField(SecretField field) {
        java.util.function.BiConsumer<String, SshSpec> sshFields = (at, s) -> {
            if (s != null) {
                java.util.Map<String, String> named = new LinkedHashMap<>();
                named.put("passwd", s.password());
                named.put("pk", s.pk());
                named.put("pkPasswd", s.pkPassword());
                named.forEach((key, v) -> {
                    if (v != null) {
                        field.accept(at + "." + key, null, v);
                    }
                });
            }
        };
        sshFields.accept("spec.ssh", ssh);
        for (int i = 0; i < hostGroups.size(); i++) {
            sshFields.accept("spec.hosts[" + i + "].ssh", hostGroups.get(i).ssh());
        }
        if (registry.externalPassword() != null) {
            field.accept("spec.registry.externalRegistry.password", null, registry.externalPassword());
        }
        env.forEach((k, v) -> field.accept("spec.env " + k, k, v));
        for (int i = 0; i < hostGroups.size(); i++) {
            String at = "spec.hosts[" + i + "].env ";
            hostGroups.get(i).env().forEach((k, v) -> field.accept(at + k, k, v));
        }
    }

    /** A value {@link #forEachSecretField} hands over: where it is, the env variable's name (or null), the value. */
    @FunctionalInterface
    interface SecretField {
        void accept(String path, String envName, String value);
    }

    /**
     * Where this Clusterfile holds a secret itself rather than naming a deploy secret: every SSH and registry secret, and
     * every env value that is secret (by name or {@code spec.secretEnv}), that is not blank and refers to no
     * {@code ${secret:<name>}}.
     */
    public List<String> inlineSecrets() {
        List<String> paths = new java.util.ArrayList<>();
        forEachSecretField((path, envName, v) -> {
            if ((envName == null || secretEnv(envName)) && !v.isBlank() && !SecretRefs.refers(v)) {
                paths.add(path);
            }
        });
        return paths;
    }

    private static SshSpec resolved(SshSpec s, java.util.function.UnaryOperator<String> r) {
        return s == null ? null : new SshSpec(s.user(), r.apply(s.password()), r.apply(s.pk()), r.apply(s.pkPassword()), s.port());
    }

    private static Map<String, String> resolvedEnv(Map<String, String> values, java.util.function.UnaryOperator<String> r) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, r.apply(v)));
        return out;
    }

    /** The v2 YAML of this Clusterfile (other documents follow after {@code ---}); parsing it gives this back. */
    public String toYaml() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", API_V2);
        doc.put("kind", "Cluster");
        doc.put("metadata", Map.of("name", name));
        doc.put("spec", specMap());
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        StringBuilder out = new StringBuilder(new Yaml(options).dump(doc));
        for (String other : otherDocuments) {
            out.append("---\n").append(other);
        }
        return out.toString();
    }

    /** The spec section; what is empty or default is left out, except the hosts of a Clusterfile without infra. */
    private Map<String, Object> specMap() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("image", image);
        putIfAny(spec, "env", envLines(env));
        putIfAny(spec, "cmd_args", cmdArgs);
        putIfAny(spec, "cmd", cmd);
        putIfAny(spec, "appNames", appNames);
        putIfAny(spec, "ssh", sshMap(ssh));
        List<Map<String, Object>> hosts = hostGroups.stream().map(Clusterfile::hostGroupMap).toList();
        if (infra != null) {
            spec.put("infra", infraMap(infra));
        }
        if (infra == null || !hosts.isEmpty()) {
            spec.put("hosts", hosts);
        }
        putIfAny(spec, "hostKeys", new LinkedHashMap<>(hostKeys.pinned()));
        if (hostKeys.firstUse()) {
            spec.put("trustOnFirstUse", true);
        }
        putIfAny(spec, "secretEnv", secretEnv);
        putIfAny(spec, "registry", registryMap(registry));
        if (!DEFAULT_DATA_ROOT.equals(dataRoot)) {
            spec.put("dataRoot", dataRoot);
        }
        return spec;
    }

    private static Map<String, Object> hostGroupMap(HostGroup g) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("ips", g.ips());
        h.put("roles", g.roles());
        putIfAny(h, "ssh", sshMap(g.ssh()));
        putIfAny(h, "env", envLines(g.env()));
        putIfAny(h, "labels", g.labels());
        putIfAny(h, "taints", g.taints());
        return h;
    }

    /** The provider, then each role's count, size and image under {@code masters} or {@code nodes}. */
    private static Map<String, Object> infraMap(InfraSpec infra) {
        Map<String, Object> inf = new LinkedHashMap<>();
        inf.put("provider", infra.provider());
        for (InfraSpec.Role r : infra.roles()) {
            Map<String, Object> role = new LinkedHashMap<>();
            role.put("count", r.count());
            putIf(role, "size", r.size());
            putIf(role, "image", r.image());
            inf.put(r.role().equals("master") ? "masters" : "nodes", role);
        }
        return inf;
    }

    private static Map<String, Object> registryMap(RegistrySpec registry) {
        Map<String, Object> reg = new LinkedHashMap<>();
        if (registry.localDomain() != null || registry.localPort() != null) {
            Map<String, Object> local = new LinkedHashMap<>();
            putIf(local, "domain", registry.localDomain());
            putIf(local, "port", registry.localPort());
            reg.put("localRegistry", local);
        }
        if (registry.externalDomain() != null) {
            Map<String, Object> external = new LinkedHashMap<>();
            putIf(external, "domain", registry.externalDomain());
            putIf(external, "username", registry.externalUsername());
            putIf(external, "password", registry.externalPassword());
            reg.put("externalRegistry", external);
        }
        return reg;
    }

    /** Env as sealer writes it: one {@code NAME=value} line a variable. */
    private static List<String> envLines(Map<String, String> values) {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static Map<String, Object> sshMap(SshSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (s == null) {
            return m;
        }
        putIf(m, "user", s.user());
        putIf(m, "passwd", s.password());
        putIf(m, "pk", s.pk());
        putIf(m, "pkPasswd", s.pkPassword());
        putIf(m, "port", s.port());
        return m;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static void putIfAny(Map<String, Object> m, String key, Collection<?> values) {
        if (!values.isEmpty()) {
            m.put(key, values);
        }
    }

    private static void putIfAny(Map<String, Object> m, String key, Map<?, ?> values) {
        if (!values.isEmpty()) {
            m.put(key, values);
        }
    }

    /** Every address, to check a plan against. */
    Set<String> ips() {
        Set<String> ips = new LinkedHashSet<>();
        hostGroups.forEach(g -> ips.addAll(g.ips()));
        return ips;
    }

    @Override
    public String toString() {
        return "Clusterfile(" + name + ", " + image + ", " + hostGroups.size() + " host group(s), " + ssh + ")";
    }

    /** Lines and nodes of one file, read into the model (fields validated as they are read). */
    static final class Parsed {
        String name;
        String image;
        Map<String, String> env = new LinkedHashMap<>();
        List<String> cmdArgs = List.of();
        List<String> cmd = List.of();
        List<String> appNames = List.of();
        SshSpec ssh = SshSpec.EMPTY;
        List<HostGroup> hostGroups = new ArrayList<>();
        InfraSpec infra;
        RegistrySpec registry = RegistrySpec.NONE;
        String dataRoot;
        Map<String, String> hostKeys = new LinkedHashMap<>();
        boolean trustOnFirstUse;
        int hostKeyLines;
        List<String> secretEnv = new ArrayList<>();
        Map<String, Integer> hostLines = new LinkedHashMap<>();
    }

}
