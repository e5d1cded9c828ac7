package io.slipway.oci.sync;

import io.slipway.oci.Digest;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.CredentialStore;
import io.slipway.oci.registry.Credentials;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.yaml.YamlError;
import io.slipway.yaml.YamlNode;
import io.slipway.yaml.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules of a sync job, in YAML or JSON, shaped after image-syncer's: {@code images} maps each source to one
 * destination or a list of them; a source names all tags ({@code reg/repo}), listed tags ({@code reg/repo:v1,v2}),
 * a tag regex ({@code reg/repo:/^v1\./}) or a digest ({@code reg/repo@sha256:...}). {@code auth} holds per-registry
 * credentials ({@code ${ENV}} expanded), {@code insecure} (plain HTTP), {@code caFile}, {@code skipTlsVerify};
 * {@code os} / {@code arch} (or {@code platforms}) filter indexes; {@code concurrency} and {@code retries} tune the
 * job. A file holding only the {@code images} mapping (image-syncer's images file) is accepted too.
 */
public record SyncRules(List<SyncRule> rules, Map<String, RegistryAccess> auth, PlatformFilter platforms,
                        int concurrency, int retries) {

    public static final int DEFAULT_CONCURRENCY = 5;
    public static final int DEFAULT_RETRIES = 2;

    private static final Set<String> TOP_LEVEL = Set.of("auth", "images", "os", "arch", "platforms", "concurrency", "retries");
    private static final Set<String> ACCESS_FIELDS = Set.of("username", "password", "insecure", "caFile", "skipTlsVerify");
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|^\\$([A-Za-z_][A-Za-z0-9_]*)$");

    public SyncRules {
        rules = List.copyOf(rules);
        auth = Map.copyOf(auth);
    }

    /** How to reach one registry; {@link #toString()} hides the password. */
    public record RegistryAccess(String username, String password, boolean insecure, Path caFile, boolean skipTlsVerify) {
        @Override
        public String toString() {
            return "RegistryAccess[username=" + username + ", password=" + (password == null ? "none" : "***")
                    + ", insecure=" + insecure + ", caFile=" + caFile + ", skipTlsVerify=" + skipTlsVerify + "]";
        }
    }

    public static SyncRules parse(Path file) throws IOException {
        return parse(Files.readString(file), file.toString(), System::getenv);
    }

    /** Parses rules text; {@code source} names it in messages; {@code env} resolves {@code ${NAME}} in credentials. */
    public static SyncRules parse(String text, String source, UnaryOperator<String> env) {
        try {
            return parse(read(text, source), source, env);
        } catch (YamlError e) { // a key written twice, or a key that is not a name
            throw new RulesException(source, e.line(), e.problem());
        }
    }

    /** The document: YAML, or JSON (which is YAML), read by the platform's one reader. */
    private static YamlNode read(String text, String source) {
        YamlNode root;
        try {
            root = YamlReader.strict().read(text);
        } catch (YamlError e) {
            boolean json = source.endsWith(".json") || text.stripLeading().startsWith("{");
            throw new RulesException(source, e.line(), json ? e.problem().replaceFirst("^not valid YAML", "not valid JSON") : e.problem());
        }
        if (root.isNull()) {
            throw new RulesException(source, 0, "empty rules");
        }
        return root;
    }

    private static SyncRules parse(YamlNode root, String source, UnaryOperator<String> env) {
        if (!root.isMap()) {
            throw new RulesException(source, root.line(), "expected a mapping with 'images' (and optionally 'auth', 'os', 'arch')");
        }
        Map<String, YamlNode> top = root.entries();
        YamlNode images = top.get("images");
        if (images == null) {
            images = root;
            top = Map.of();
        } else {
            for (Map.Entry<String, YamlNode> e : top.entrySet()) {
                if (!TOP_LEVEL.contains(e.getKey())) {
                    throw new RulesException(source, e.getValue().keyLine(), "unknown field '" + e.getKey() + "' (expected one of "
                            + String.join(", ", new java.util.TreeSet<>(TOP_LEVEL)) + ")");
                }
            }
        }
        if (!images.isMap() || images.entries().isEmpty()) {
            throw new RulesException(source, images.keyLine(), "'images' must map each source to a destination or a list of them");
        }
        List<SyncRule> rules = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : images.entries().entrySet()) {
            rules.add(rule(e.getKey(), e.getValue(), source));
        }
        return new SyncRules(rules, auth(top.get("auth"), source, env), platforms(top, source),
                positive(top.get("concurrency"), DEFAULT_CONCURRENCY, 1, "concurrency", source),
                positive(top.get("retries"), DEFAULT_RETRIES, 0, "retries", source));
    }

    /** The registries of this job, configured from {@code auth}; logins in {@code store} fill in missing credentials. */
    public Registries registries(CredentialStore store, UnaryOperator<RegistryConfig> tune) {
        Registries.Builder b = Registries.builder().credentialStore(store);
        for (Map.Entry<String, RegistryAccess> e : auth.entrySet()) {
            RegistryAccess a = e.getValue();
            RegistryConfig config = RegistryConfig.of(e.getKey()).withPlainHttp(a.insecure()).withSkipTlsVerify(a.skipTlsVerify())
                    .withCaFile(a.caFile());
            if (a.username() != null) {
                config = config.withCredentials(new Credentials(a.username(), a.password() == null ? "" : a.password()));
            }
            b.config(tune.apply(config));
        }
        return b.build();
    }

    private static SyncRule rule(String key, YamlNode value, String source) {
        int line = value.keyLine();
        SyncRule.Source from = source(key.trim(), line, source);
        List<YamlNode> targets;
        if (value.isScalar()) {
            targets = List.of(value);
        } else if (value.isList() && !value.items().isEmpty()) {
            targets = value.items();
        } else {
            throw new RulesException(source, line, "source '" + key + "' needs a destination (a reference or a list of them)");
        }
        boolean single = from.tags() instanceof TagSelector.Pinned
                || (from.tags() instanceof TagSelector.Listed l && l.tags().size() == 1);
        List<SyncRule.Destination> destinations = new ArrayList<>();
        for (YamlNode t : targets) {
            if (!t.isScalar() || t.text().isBlank()) {
                throw new RulesException(source, t.keyLine(), "destination of '" + key + "' must be a non-empty image reference");
            }
            destinations.add(destination(t.text().trim(), single, t.keyLine(), source, key));
        }
        return new SyncRule(line, from, destinations);
    }

    private static SyncRule.Source source(String key, int line, String source) {
        try {
            int at = key.indexOf('@');
            if (at >= 0) {
                Reference repo = repository(key.substring(0, at), line, source, key);
                return new SyncRule.Source(repo.registry(), repo.repository(), new TagSelector.Pinned(Digest.parse(key.substring(at + 1))));
            }
            int regex = key.indexOf(":/");
            if (regex > 0) {
                if (!key.endsWith("/") || key.length() < regex + 4) {
                    throw new RulesException(source, line, "source '" + key + "': a tag regex is written between slashes, e.g. repo:/^v1\\./");
                }
                Reference repo = repository(key.substring(0, regex), line, source, key);
                String pattern = key.substring(regex + 2, key.length() - 1);
                try {
                    return new SyncRule.Source(repo.registry(), repo.repository(), new TagSelector.Matching(Pattern.compile(pattern)));
                } catch (PatternSyntaxException e) {
                    throw new RulesException(source, line, "source '" + key + "': bad tag regex: " + e.getDescription());
                }
            }
            int colon = key.indexOf(':', key.lastIndexOf('/') + 1);
            if (colon < 0) {
                Reference repo = repository(key, line, source, key);
                return new SyncRule.Source(repo.registry(), repo.repository(), new TagSelector.AllTags());
            }
            Reference repo = repository(key.substring(0, colon), line, source, key);
            List<String> tags = new ArrayList<>();
            for (String tag : key.substring(colon + 1).split(",")) {
                String t = tag.trim();
                Reference.parse(repo.registry() + "/" + repo.repository() + ":" + t);
                tags.add(t);
            }
            return new SyncRule.Source(repo.registry(), repo.repository(), new TagSelector.Listed(tags));
        } catch (RulesException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new RulesException(source, line, "source '" + key + "': " + e.getMessage());
        }
    }

    private static Reference repository(String text, int line, String source, String key) {
        if (text.isBlank()) {
            throw new RulesException(source, line, "source '" + key + "' names no repository");
        }
        return Reference.parse(text);
    }

    private static SyncRule.Destination destination(String text, boolean single, int line, String source, String key) {
        Reference ref;
        try {
            ref = Reference.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RulesException(source, line, "destination '" + text + "': " + e.getMessage());
        }
        if (ref.digest() != null) {
            throw new RulesException(source, line, "destination '" + text + "' must not pin a digest");
        }
        String afterRepo = text.substring(text.lastIndexOf('/') + 1);
        boolean tagged = afterRepo.contains(":");
        if (tagged && !single) {
            throw new RulesException(source, line, "destination '" + text + "' names a tag, but source '" + key
                    + "' selects several images: leave the tag out and each keeps its own");
        }
        return new SyncRule.Destination(ref.registry(), ref.repository(), tagged ? ref.tag() : null);
    }

    private static Map<String, RegistryAccess> auth(YamlNode node, String source, UnaryOperator<String> env) {
        Map<String, RegistryAccess> auth = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return auth;
        }
        if (!node.isMap()) {
            throw new RulesException(source, node.keyLine(), "'auth' must map registry hosts to their access");
        }
        for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
            String host = e.getKey().trim();
            YamlNode access = e.getValue();
            if (host.contains("/")) {
                throw new RulesException(source, access.keyLine(), "auth key '" + host + "' must be a registry host (namespaces are not supported)");
            }
            if (!access.isMap()) {
                throw new RulesException(source, access.keyLine(), "auth of " + host + " must be a mapping of "
                        + String.join(", ", new java.util.TreeSet<>(ACCESS_FIELDS)));
            }
            Map<String, YamlNode> fields = access.entries();
            for (Map.Entry<String, YamlNode> f : fields.entrySet()) {
                if (!ACCESS_FIELDS.contains(f.getKey())) {
                    throw new RulesException(source, f.getValue().keyLine(), "auth of " + host + ": unknown field '" + f.getKey()
                            + "' (expected one of " + String.join(", ", new java.util.TreeSet<>(ACCESS_FIELDS)) + ")");
                }
            }
            String user = expand(scalar(fields.get("username"), source, host + " username"), env, source, fields.get("username"));
            String pass = expand(scalar(fields.get("password"), source, host + " password"), env, source, fields.get("password"));
            if (pass != null && user == null) {
                throw new RulesException(source, fields.get("password").keyLine(), "auth of " + host + " has a password but no username");
            }
            String ca = scalar(fields.get("caFile"), source, host + " caFile");
            auth.put(host, new RegistryAccess(user, pass, bool(fields.get("insecure"), source, host + " insecure"),
                    ca == null ? null : Path.of(ca), bool(fields.get("skipTlsVerify"), source, host + " skipTlsVerify")));
        }
        return auth;
    }

    private static String expand(String value, UnaryOperator<String> env, String source, YamlNode node) {
        if (value == null) {
            return null;
        }
        Matcher m = ENV.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String resolved = env.apply(name);
            if (resolved == null) {
                throw new RulesException(source, node.keyLine(), "environment variable " + name + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(resolved));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static PlatformFilter platforms(Map<String, YamlNode> top, String source) {
        YamlNode list = top.get("platforms");
        if (list != null) {
            List<Platform> platforms = new ArrayList<>();
            for (String p : strings(list, source, "platforms")) {
                try {
                    platforms.add(Platform.parse(p));
                } catch (IllegalArgumentException e) {
                    throw new RulesException(source, list.keyLine(), e.getMessage());
                }
            }
            return PlatformFilter.of(platforms);
        }
        return new PlatformFilter(Set.copyOf(strings(top.get("os"), source, "os")), Set.copyOf(strings(top.get("arch"), source, "arch")));
    }

    private static List<String> strings(YamlNode node, String source, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<YamlNode> items = node.isList() ? node.items() : List.of(node);
        List<String> out = new ArrayList<>();
        for (YamlNode item : items) {
            if (!item.isScalar() || item.text().isBlank()) {
                throw new RulesException(source, item.keyLine(), "'" + field + "' must be a list of names");
            }
            out.add(item.text().trim());
        }
        return out;
    }

    private static String scalar(YamlNode node, String source, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isScalar()) {
            throw new RulesException(source, node.keyLine(), field + " must be a single value");
        }
        return node.text();
    }

    private static boolean bool(YamlNode node, String source, String field) {
        String v = scalar(node, source, field);
        if (v == null) {
            return false;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new RulesException(source, node.keyLine(), field + " must be true or false, not '" + v + "'");
        };
    }

    private static int positive(YamlNode node, int fallback, int min, String field, String source) {
        String v = scalar(node, source, field);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new RulesException(source, node.keyLine(), field + " must be a whole number of at least " + min + ", not '" + v + "'");
        }
    }
}
