package io.slipway.compose;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration keys one service reads, taken from the service as packaged ({@code target/quarkus-app}, what its
 * image holds), in the environment-variable form SmallRye Config maps them from:
 * <ul>
 *   <li>every key of its {@code application.properties} and of the {@code META-INF/microprofile-config.properties} of
 *       Slipway's libraries (the backbone's), without its {@code %profile.} prefix, and every {@code ${name}} they refer to;</li>
 *   <li>every property of the {@code @ConfigMapping} interfaces and every {@code @ConfigProperty(name = ...)} in
 *       Slipway's classes (the service's and the libraries' it ships), a map's keys matching any name;</li>
 *   <li>apart: the run-time properties of the Quarkus extensions it ships ({@link QuarkusConfigModel}).</li>
 * </ul>
 */
final class ServiceConfigKeys {
    /** Slipway's own jars in {@code lib/main} are named {@code io.slipway.<artifact>-<version>.jar}. */
    private static final String OWN_JAR_PREFIX = "io.slipway.";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^:}${]+)");
    private static final String CONFIG_MAPPING = "io.smallrye.config.ConfigMapping";
    private static final String CONFIG_PROPERTY = "org.eclipse.microprofile.config.inject.ConfigProperty";

    private final String service;
    /** Keys as templates: {@code *} for a map's key, {@code [*]} for a list's index. */
    private final TreeSet<String> keys;
    private final List<Pattern> envPatterns;
    private final QuarkusConfigModel quarkus;

    private ServiceConfigKeys(String service, TreeSet<String> keys, QuarkusConfigModel quarkus) {
        this.service = service;
        this.keys = keys;
        this.envPatterns = keys.stream().map(ServiceConfigKeys::envPattern).toList();
        this.quarkus = quarkus;
    }

    /** The keys of the service packaged at {@code quarkusApp} (a {@code target/quarkus-app} directory). */
    static ServiceConfigKeys of(String service, Path quarkusApp) {
        if (!Files.isDirectory(quarkusApp.resolve("lib/main"))) {
            throw new AssertionError(service + " is not packaged: " + quarkusApp + " is missing (./mvnw -B -q install -DskipTests)");
        }
        List<Path> appJars = jars(quarkusApp.resolve("app"));
        List<Path> libJars = jars(quarkusApp.resolve("lib/main"));
        List<Path> own = new ArrayList<>(appJars);
        libJars.stream().filter(j -> j.getFileName().toString().startsWith(OWN_JAR_PREFIX)).forEach(own::add);
        TreeSet<String> keys = new TreeSet<>();
        for (Path jar : own) {
            keys.addAll(propertyKeys(jar, appJars.contains(jar) ? "application.properties" : "META-INF/microprofile-config.properties"));
        }
        List<Path> all = new ArrayList<>(appJars);
        all.addAll(libJars);
        try (URLClassLoader loader = new URLClassLoader(urls(all), ClassLoader.getPlatformClassLoader())) {
            for (Path jar : own) {
                for (String className : classesMentioning(jar, CONFIG_MAPPING, CONFIG_PROPERTY)) {
                    Class<?> type = Class.forName(className, false, loader);
                    keys.addAll(ConfigMappingKeys.of(type));
                    keys.addAll(ConfigMappingKeys.injectedProperties(type));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(service + ": cannot load " + e.getMessage(), e);
        }
        return new ServiceConfigKeys(service, keys, QuarkusConfigModel.of(libJars));
    }

    String service() {
        return service;
    }

    /** Whether {@code envName} is the environment form of one of the service's own keys. */
    boolean isOwnKey(String envName) {
        return envPatterns.stream().anyMatch(p -> p.matcher(envName).matches());
    }

    /** The Quarkus extensions' properties the service ships. */
    QuarkusConfigModel quarkus() {
        return quarkus;
    }

    /** The key templates (for a failure message). */
    java.util.SortedSet<String> keys() {
        return Collections.unmodifiableSortedSet(keys);
    }

    /**
     * SmallRye Config's environment form of a key: every character that is not a letter or digit becomes {@code _},
     * letters upper case ({@code slipway.data-dir} is {@code SLIPWAY_DATA_DIR}). A map key ({@code *}) stands for any
     * name, itself in that form; a list index ({@code [*]}) for digits.
     */
    static Pattern envPattern(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("\\[\\*]|\\*").matcher(template);
        int from = 0;
        while (m.find()) {
            regex.append(Pattern.quote(envName(template.substring(from, m.start()))));
            regex.append(m.group().equals("*") ? "[A-Z0-9_]+" : "_[0-9]+_");
            from = m.end();
        }
        regex.append(Pattern.quote(envName(template.substring(from))));
        return Pattern.compile(regex.toString());
    }

    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }

    /** The keys of one properties file in {@code jar} (none if it has none), unprofiled, and the keys its values name. */
    static List<String> propertyKeys(Path jar, String entry) {
        try (JarFile j = new JarFile(jar.toFile())) {
            JarEntry e = j.getJarEntry(entry);
            if (e == null) {
                return List.of();
            }
            Properties p = new Properties();
            try (InputStream in = j.getInputStream(e)) {
                p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            }
            return keysOf(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + entry + " of " + jar, e);
        }
    }

    static List<String> keysOf(Properties p) {
        List<String> out = new ArrayList<>();
        for (String key : p.stringPropertyNames()) {
            out.add(key.startsWith("%") && key.indexOf('.') > 0 ? key.substring(key.indexOf('.') + 1) : key);
            Matcher m = PLACEHOLDER.matcher(p.getProperty(key));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Classes of {@code jar} whose class file names one of {@code annotations}: only these are loaded. */
    private static List<String> classesMentioning(Path jar, String... annotations) throws IOException {
        List<byte[]> needles = Stream.of(annotations).map(a -> ("L" + a.replace('.', '/') + ";").getBytes(StandardCharsets.UTF_8)).toList();
        List<String> out = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(j.entries())) {
                if (!e.getName().endsWith(".class") || e.getName().endsWith("module-info.class")) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = j.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                if (needles.stream().anyMatch(n -> indexOf(bytes, n) >= 0)) {
                    out.add(e.getName().substring(0, e.getName().length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static List<Path> jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static URL[] urls(List<Path> jars) {
        return jars.stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(p.toString(), e);
            }
        }).toArray(URL[]::new);
    }

    /** Per service, read once per test JVM: opening every jar takes a moment. */
    private static final Map<String, ServiceConfigKeys> CACHE = new HashMap<>();

    static synchronized ServiceConfigKeys cached(String service, Path quarkusApp) {
        return CACHE.computeIfAbsent(service, s -> of(s, quarkusApp));
    }
}
