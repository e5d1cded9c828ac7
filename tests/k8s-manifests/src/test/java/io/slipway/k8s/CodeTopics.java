package io.slipway.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Kafka topics the services name, derived from their code and configuration by the same rules the backbone
 * applies at run time, each with the place that names it:
 * <ul>
 *   <li>{@code slipway.domain=D} in a service's application.properties: its outbox relay publishes {@code slipway.D.events}
 *       ({@code EventHeaders.eventsTopic});</li>
 *   <li>{@code mp.messaging.incoming.C.topic(s)}: a consumed topic, and its dead-letter topic {@code <topic>.dlq}, which
 *       {@code ConsumerChannels} creates for every incoming channel while the backbone's failure strategy is
 *       {@code slipway-dead-letter}; {@code mp.messaging.outgoing.C.topic}: a produced one;</li>
 *   <li>a {@code "slipway.<name>.events|requests"} string in a service's main Java code (a channel's TOPIC constant, a
 *       {@code @WithDefault} such as event-svc's {@code slipway.kube.events}).</li>
 * </ul>
 * Topics named at run time are not here: a sink's dead letters ({@code slipway.kube.events.<receiver>.dlq},
 * {@code Receiver.deadLetterTopic}) follow the routes file, and event-svc makes them itself.
 */
final class CodeTopics {
    private static final String INCOMING = "mp.messaging.incoming.";
    private static final String OUTGOING = "mp.messaging.outgoing.";
    private static final Pattern LITERAL = Pattern.compile("\"(slipway\\.[a-z0-9-]+\\.(?:events|requests)(?:\\.dlq)?)\"");
    private static final Pattern COMMENT = Pattern.compile("^\\s*(//|\\*|/\\*)");

    private CodeTopics() {
    }

    /** Topic name to where it comes from, sorted by name. */
    static TreeMap<String, String> derive(Path root) {
        requireDeadLetterStrategy(root);
        TreeMap<String, String> topics = new TreeMap<>();
        for (Path service : services(root)) {
            Path props = service.resolve("src/main/resources/application.properties");
            Properties p = load(props);
            String where = root.relativize(props).toString();
            String domain = p.getProperty("slipway.domain");
            if (domain != null) {
                topics.putIfAbsent("slipway." + domain + ".events", where + ": slipway.domain=" + domain + " (outbox relay)");
            }
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("%")) {
                    continue; // a test or dev profile's own topic is no topic of an install
                }
                if (key.startsWith(INCOMING) && (key.endsWith(".topic") || key.endsWith(".topics"))) {
                    for (String topic : p.getProperty(key).split("\\s*,\\s*")) {
                        topics.putIfAbsent(topic, where + ": " + key);
                        topics.putIfAbsent(topic + ".dlq", where + ": " + key + " (its dead letters)");
                    }
                } else if (key.startsWith(OUTGOING) && key.endsWith(".topic")) {
                    topics.putIfAbsent(p.getProperty(key), where + ": " + key);
                }
            }
            literals(root, service.resolve("src/main/java"), topics);
        }
        return topics;
    }

    private static void literals(Path root, Path sources, TreeMap<String, String> topics) {
        if (!Files.isDirectory(sources)) {
            return;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (COMMENT.matcher(lines.get(i)).find()) {
                        continue;
                    }
                    Matcher m = LITERAL.matcher(lines.get(i));
                    while (m.find()) {
                        topics.putIfAbsent(m.group(1), root.relativize(f) + ":" + (i + 1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sources + ": " + e.getMessage(), e);
        }
    }

    /** The rule "every consumed topic has a .dlq" holds only while the backbone's failure strategy dead-letters. */
    private static void requireDeadLetterStrategy(Path root) {
        Path defaults = root.resolve("platform/backbone/src/main/resources/META-INF/microprofile-config.properties");
        String strategy = load(defaults).getProperty("mp.messaging.connector.smallrye-kafka.failure-strategy");
        if (!"slipway-dead-letter".equals(strategy)) {
            throw new AssertionError(root.relativize(defaults) + ": failure-strategy is " + strategy
                    + ", not slipway-dead-letter: which topics get a .dlq must be derived anew");
        }
    }

    private static List<Path> services(Path root) {
        try (Stream<Path> dirs = Files.list(root.resolve("services"))) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list services/: " + e.getMessage(), e);
        }
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return p;
    }
}
