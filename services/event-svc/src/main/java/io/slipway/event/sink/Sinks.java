package io.slipway.event.sink;

import io.slipway.backbone.consume.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import io.slipway.retry.Backoff;
import io.slipway.retry.Supervisor;
import io.slipway.backbone.Topics;
import io.slipway.event.route.Receiver;
import io.slipway.event.route.RouteConfig;
import io.slipway.outbound.OutboundPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The sinks of this instance: one {@link SinkLoop} per receiver of the routing configuration in force, each on its
 * own thread with its own consumer group. A new configuration starts the loops of new receivers, stops those of
 * removed ones and restarts those whose settings changed (they resume from their committed offsets); changed routes
 * alone need no restart, every loop reads the routing in force for each event. A loop that fails (Kafka out of reach,
 * a dead letter that cannot be written) is restarted with backoff and delivers again from its last commit.
 */
public final class Sinks implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Sinks.class);

    private final String bootstrapServers;
    private final String topic;
    private final int partitions;
    private final MeterRegistry registry;
    private final Supplier<RouteConfig> routing;
    private final Map<String, String> consumerOverrides;
    private final DeadLetters deadLetters;
    private final OutboundPolicy outbound;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Map<String, SinkMeters> meters = new LinkedHashMap<>();

    public Sinks(String bootstrapServers, String topic, int partitions, MeterRegistry registry, Supplier<RouteConfig> routing,
                 Map<String, String> consumerOverrides, OutboundPolicy outbound) {
        this.outbound = outbound;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.partitions = partitions;
        this.registry = registry;
        this.routing = routing;
        this.consumerOverrides = Map.copyOf(consumerOverrides);
        this.deadLetters = new DeadLetters(bootstrapServers, "slipway-sink-dlq", registry);
    }

    public String topic() {
        return topic;
    }

    /** Brings the running loops in line with the configuration's receivers. */
    public synchronized void apply(RouteConfig config) {
        Map<String, Receiver> wanted = new LinkedHashMap<>();
        config.receivers().forEach(r -> wanted.put(r.name(), r));
        for (String name : new ArrayList<>(running.keySet())) {
            Receiver now = wanted.get(name);
            if (now == null || !now.equals(running.get(name).receiver)) {
                LOG.infof("sink %s %s", name, now == null ? "removed" : "changed, restarting");
                running.remove(name).stop();
            }
        }
        for (Receiver r : wanted.values()) {
            if (!running.containsKey(r.name())) {
                Running sink = new Running(r, meters.computeIfAbsent(r.name(), n -> new SinkMeters(registry, n)));
                running.put(r.name(), sink);
                sink.start();
            }
        }
    }

    /** Whether the sink's loop has its partitions (a test waits for it before producing). */
    public synchronized boolean ready(String name) {
        Running r = running.get(name);
        return r != null && r.loop != null && r.loop.assigned();
    }

    public synchronized Optional<SinkMeters> meters(String name) {
        return Optional.ofNullable(meters.get(name));
    }

    /** What each sink is doing. */
    public synchronized List<Status> status() {
        List<Status> out = new ArrayList<>();
        running.values().forEach(r -> out.add(r.status()));
        return out;
    }

    /** A sink's state for the API. */
    public record Status(String name, String kind, String consumerGroup, String deadLetterTopic, String state, String lastError, long lag,
                         int heldForDigest, SinkMeters.Snapshot counters) {
    }

    /**
     * Re-drives one sink: its loop stops, its group's offsets move to {@code from}, its loop starts again and
     * delivers from there. No other sink is touched. Returns the new offset by partition.
     */
    public Map<Integer, Long> replay(String name, ReplayFrom from) {
        Running sink;
        synchronized (this) {
            sink = running.get(name);
        }
        if (sink == null) {
            throw new IllegalArgumentException("no sink is named '" + name + "'");
        }
        if (!sink.replaying.tryLock()) {
            throw new SinkReplay.Conflict("a replay of sink " + name + " is already under way");
        }
        try {
            sink.stop();
            try {
                Map<Integer, Long> offsets = SinkReplay.reset(bootstrapServers, sink.receiver.consumerGroup(), topic, from);
                LOG.infof("sink %s replays from %s: offsets %s", name, from, offsets);
                return offsets;
            } finally {
                synchronized (this) {
                    if (running.get(name) == sink) {
                        sink.start();
                    }
                }
            }
        } finally {
            sink.replaying.unlock();
        }
    }

    @Override
    public synchronized void close() {
        running.values().forEach(Running::stop);
        running.clear();
        deadLetters.close();
    }

    private KafkaConsumer<String, byte[]> consumer(Receiver r) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, r.consumerGroup());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, r.consumerGroup());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, r.policy().fromEarliest() ? "earliest" : "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.max(100, r.policy().batchSize())));
        // as the services' channels (the backbone's microprofile-config.properties): a killed instance's partitions
        // move to a live one within seconds, not Kafka's default 45 s
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        p.putAll(consumerOverrides);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** One receiver's loop, restarted when it fails, until stopped. */
    private final class Running {
        private final Receiver receiver;
        private final SinkMeters meters;
        /** Runs one {@link SinkLoop} after the other on the sink's thread; not interrupted on stop (see {@link #stop}). */
        private final Supervisor supervisor;
        private volatile SinkLoop loop;
        /** What the runs of one start share; per thread, as a thread that outlived its stop still closes its own. */
        private final ThreadLocal<Shared> shared = ThreadLocal.withInitial(Shared::new);
        private final ReentrantLock replaying = new ReentrantLock();

        Running(Receiver receiver, SinkMeters meters) {
            this.receiver = receiver;
            this.meters = meters;
            this.supervisor = Supervisor.named("sink-" + receiver.name(), new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)))
                    .onFailure(f -> LOG.warnf("sink %s stopped on an error (%d in a row), restarting: %s", receiver.name(), f.inARow(),
                            f.error().getMessage()))
                    .onExit(this::closeTransport)
                    .build(this::deliver);
        }

        void start() {
            supervisor.start();
        }

        void stop() {
            // the loop's own stop, not an interrupt: an interrupted Kafka consumer may not leave its group cleanly, and a
            // replay needs the group empty
            supervisor.stop(() -> {
                SinkLoop l = loop;
                if (l != null) {
                    l.stop();
                }
            }, Duration.ofSeconds(30));
            loop = null;
        }

        /** One run: a new consumer delivers from the group's last commit until stopped or failed. */
        private void deliver() throws Exception {
            Shared s = shared.get();
            if (!s.topicsChecked) {
                s.topicsChecked = true;
                try {
                    Topics.ensure(bootstrapServers, partitions, List.of(topic, receiver.deadLetterTopic(topic)));
                } catch (RuntimeException e) {
                    LOG.warnf("sink %s: topics not created up front (%s); relying on the broker", receiver.name(), e.getMessage());
                }
            }
            if (s.transport == null) {
                s.transport = Transports.of(receiver, outbound);
            }
            KafkaConsumer<String, byte[]> consumer = consumer(receiver);
            SinkLoop l = new SinkLoop(receiver, topic, consumer, s.transport, routing, deadLetters::send, meters);
            if (supervisor.whileRunning(() -> loop = l)) {
                l.run();
            } else {
                consumer.close();
            }
        }

        private void closeTransport() {
            Transport t = shared.get().transport;
            shared.remove();
            if (t != null) {
                try {
                    t.close();
                } catch (Exception e) {
                    LOG.debugf("sink %s: closing its transport: %s", receiver.name(), e.getMessage());
                }
            }
        }

        /** The topics are checked on a thread's first run; its transport is made then and kept until the thread ends. */
        private static final class Shared {
            boolean topicsChecked;
            Transport transport;
        }

        Status status() {
            SinkLoop l = loop;
            int failures = supervisor.failuresInARow();
            String state = supervisor.stopping() ? "stopped" : failures > 0 ? "failing" : l != null && l.assigned() ? "running" : "starting";
            return new Status(receiver.name(), receiver.target().kind(), receiver.consumerGroup(), receiver.deadLetterTopic(topic), state,
                    failures > 0 ? supervisor.lastError() : null, l == null ? 0 : l.lag(), l == null ? 0 : l.held(), meters.snapshot());
        }
    }
}
