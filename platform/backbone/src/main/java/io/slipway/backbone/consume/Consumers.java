package io.slipway.backbone.consume;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.Backoff;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.Topics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/** Runs a {@link ConsumerLoop} for every {@link EventListener} bean of the service, each on its own thread. */
@ApplicationScoped
public class Consumers {
    private static final Logger LOG = Logger.getLogger(Consumers.class);
    private static final String RECORD_APPLIED = """
            insert into processed_event(consumer_group, event_id, topic, partition_no, offset_no, processed_at)
            values (?1, ?2, ?3, ?4, ?5, now()) on conflict do nothing""";

    private final BackboneConfig config;
    private final Instance<EventListener> listeners;
    private final DeadLetters deadLetters;
    private final MeterRegistry metrics;
    private final Map<String, GroupState> groups = new LinkedHashMap<>();
    private volatile boolean stopping;
    private final List<Thread> threads = new ArrayList<>();

    Consumers(BackboneConfig config, Instance<EventListener> listeners, DeadLetters deadLetters, MeterRegistry metrics) {
        this.config = config;
        this.listeners = listeners;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    synchronized void onStart(@Observes StartupEvent event) {
        for (EventListener listener : listeners) {
            Thread t = new Thread(() -> run(listener), "consumer-" + listener.group());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run(EventListener listener) {
        List<String> topics = new ArrayList<>(listener.topics());
        listener.topics().forEach(t -> topics.add(EventHeaders.deadLetterTopic(t)));
        try {
            Topics.ensure(config.kafka().bootstrapServers(), config.kafka().partitions(), topics);
        } catch (RuntimeException e) {
            LOG.warnf("group %s: topics not created up front (%s); relying on the broker to create them", listener.group(), e.getMessage());
        }
        GroupState state = new GroupState();
        synchronized (this) {
            groups.put(listener.group(), state);
        }
        metrics.gauge("slipway.consumer.lag", List.of(io.micrometer.core.instrument.Tag.of("group", listener.group())), state,
                s -> s.loop == null ? 0 : s.loop.lag());
        Backoff backoff = new Backoff(config.consumer().initialBackoff(), Duration.ofMinutes(1));
        // A loop that dies (Kafka gone, a dead letter that cannot be written) is replaced by a fresh consumer; its
        // uncommitted records come again and the idempotent apply absorbs what had already been applied.
        while (!stopping) {
            ConsumerLoop loop = new ConsumerLoop(listener.group(), consumer(listener), event -> applyOnce(listener, event),
                    deadLetters::send, config.consumer().maxAttempts(), config.consumer().initialBackoff(), config.consumer().maxBackoff(),
                    new MeteredListener(listener.group()));
            state.loop = loop;
            try {
                loop.run();
                state.failures = 0;
            } catch (RuntimeException e) {
                // a loop that reached Kafka before failing starts a new count
                state.failures = loop.hasPolled() ? 1 : state.failures + 1;
                state.lastError = e.getMessage();
                LOG.warnf("group %s stopped on an error (%d in a row), restarting: %s", listener.group(), state.failures, e.getMessage());
                LockSupport.parkNanos(backoff.forRetry(state.failures).toNanos());
            }
        }
    }

    /** A consumer group's loop and how often in a row it has failed. */
    static final class GroupState {
        volatile ConsumerLoop loop;
        volatile int failures;
        volatile String lastError;
    }

    private KafkaConsumer<String, byte[]> consumer(EventListener listener) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, listener.group());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(listener.topics());
        return consumer;
    }

    /** The listener's effect and the record of the event id commit in one transaction; a known id applies nothing. */
    private boolean applyOnce(EventListener listener, ConsumedEvent event) throws Exception {
        try {
            return transactionally(listener, event);
        } catch (Exception e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private boolean transactionally(EventListener listener, ConsumedEvent event) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(RECORD_APPLIED)
                        .setParameter(1, listener.group()).setParameter(2, event.eventId()).setParameter(3, event.topic())
                        .setParameter(4, event.partition()).setParameter(5, event.offset()).executeUpdate())
                .chain(inserted -> inserted == 0 ? Uni.createFrom().item(false) : listener.apply(event).replaceWith(true))));
    }

    /** Each consumer group's lag as of its last poll. */
    public synchronized Map<String, Long> lagByGroup() {
        Map<String, Long> lag = new LinkedHashMap<>();
        groups.forEach((group, state) -> lag.put(group, state.loop == null ? 0 : state.loop.lag()));
        return lag;
    }

    /** Groups whose loop failed {@code threshold} times or more in a row, with the last error. */
    public synchronized Map<String, String> failingGroups(int threshold) {
        Map<String, String> failing = new LinkedHashMap<>();
        groups.forEach((group, state) -> {
            ConsumerLoop current = state.loop;
            if (state.failures >= threshold && (current == null || !current.hasPolled())) {
                failing.put(group, state.failures + " failures in a row, last: " + state.lastError);
            }
        });
        return failing;
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        groups.values().forEach(state -> {
            if (state.loop != null) {
                state.loop.stop();
            }
        });
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class MeteredListener implements ConsumerLoop.Listener {
        private final String group;

        MeteredListener(String group) {
            this.group = group;
        }

        @Override
        public void applied(ConsumedEvent event) {
            metrics.counter("slipway.consumer.applied", "group", group, "type", String.valueOf(event.eventType())).increment();
        }

        @Override
        public void duplicate(ConsumedEvent event) {
            metrics.counter("slipway.consumer.duplicates", "group", group).increment();
        }

        @Override
        public void retry(ConsumedEvent event, int attempt, Exception cause) {
            LOG.infof("group %s retries %s (attempt %d): %s", group, event.position(), attempt, cause.getMessage());
            metrics.counter("slipway.consumer.retries", "group", group).increment();
        }
    }
}
