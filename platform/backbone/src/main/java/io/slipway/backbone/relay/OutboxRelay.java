package io.slipway.backbone.relay;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.ChangeEvent;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.SourceInfo;
import io.debezium.embedded.Connect;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.retry.Backoff;
import io.slipway.retry.Supervisor;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.outbox.OutboxMessage;
import io.slipway.backbone.outbox.OutboxSchema;
import io.slipway.backbone.schema.BackboneSchema;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

/**
 * Relays the outbox to Kafka: Debezium's PostgreSQL connector streams the outbox's logical decoding messages from the
 * write-ahead log (pgoutput), this class decodes each ({@link OutboxMessage}) into a record for
 * {@code slipway.<domain>.events} keyed by aggregate id and publishes them with an idempotent producer before the
 * source offset is committed. Inserts into the former outbox table, written before an upgrade, still travel through
 * Debezium's outbox event router. At most one instance of a service relays at a time (an advisory lock); the others
 * stand by. See DESIGN.md.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private static final java.util.Set<String> ENVELOPE = java.util.Set.of(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE,
            EventHeaders.CORRELATION_ID, EventHeaders.CAUSATION_ID, EventHeaders.TRACEPARENT);

    /** How long a stop waits for the batch being published (Kafka unreachable: the batch is published again later). */
    private static final Duration BATCH_STOP_WAIT = Duration.ofSeconds(10);

    private final BackboneConfig config;
    private final String eventsTopic;
    private final String messagePrefix;
    private final String messageTopic;
    private final Counter published;
    private final Timer lag;

    /** Held while a batch is being published; {@link #stop} takes it before closing the engine. */
    private final ReentrantLock batch = new ReentrantLock();
    private volatile boolean running;
    private volatile boolean leader;
    /** Runs the relay (or stands by) on its own thread, restarting it after a failure. */
    private final Supervisor supervisor;
    private volatile DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;

    /** Public so a test or a benchmark can run a second instance against the same database, as a second pod would. */
    @jakarta.inject.Inject
    public OutboxRelay(BackboneConfig config, MeterRegistry metrics) {
        this.config = config;
        this.eventsTopic = EventHeaders.eventsTopic(config.domain());
        this.messagePrefix = OutboxMessage.prefix(config.domain());
        this.messageTopic = topicPrefix() + ".message";
        this.published = metrics.counter("slipway.outbox.relay.published", "domain", config.domain());
        this.lag = Timer.builder("slipway.outbox.relay.lag").description("Time from outbox commit to publication on Kafka")
                .tag("domain", config.domain()).publishPercentiles(0.5, 0.99).register(metrics);
        this.supervisor = Supervisor.named("outbox-relay-" + config.domain(), new Backoff(config.relay().restartBackoff(), Duration.ofMinutes(1)))
                .onFailure(f -> LOG.warnf("relay for domain %s failed (%d in a row), restarting in %d ms: %s", config.domain(), f.inARow(),
                        f.retryIn().toMillis(), f.error().getMessage()))
                .build(this::relay);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.relay().enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** Starts relaying (or standing by for the relay lock); a no-op when already started. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        supervisor.start();
    }

    /** Stops relaying and releases the relay lock; events committed meanwhile wait in the write-ahead log. */
    public synchronized void stop() {
        running = false;
        supervisor.stop(this::finishBatchAndCloseEngine, Duration.ofSeconds(30));
    }

    /**
     * Closing the engine interrupts a batch waiting for Kafka's acknowledgements, and a batch published but not marked
     * is published again after the restart: let it finish first, so its offset is stored with the stop.
     */
    private void finishBatchAndCloseEngine() {
        boolean batchDone = false;
        try {
            batchDone = batch.tryLock(BATCH_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            closeEngine();
        } finally {
            if (batchDone) {
                batch.unlock();
            }
        }
    }

    /** Whether this instance currently holds the relay lock and runs the connector. */
    public boolean isLeader() {
        return leader;
    }

    /** One run of the relay: while this instance holds the relay lock, the connector publishes the outbox. */
    private void relay() throws Exception {
        Thread.currentThread().setContextClassLoader(OutboxRelay.class.getClassLoader());
        try (RelayLock lock = RelayLock.tryAcquire(config.jdbcUrl(), config.db().user(), config.db().password(), config.slotName())) {
            if (lock == null) {
                throw new Supervisor.StandBy("another instance relays domain " + config.domain(), config.relay().standbyRetry());
            }
            // Again, though the service did both at startup: the relay also runs outside a service (bench, a
            // second instance), and an operator may have dropped the slot or publication meanwhile.
            BackboneSchema.migrate(config);
            try (var c = DriverManager.getConnection(config.jdbcUrl(), config.db().user(), config.db().password())) {
                OutboxSchema.prepare(c, config.slotName());
            }
            leader = true;
            LOG.infof("relay for domain %s is active (slot %s)", config.domain(), config.slotName());
            runEngine();
        } finally {
            leader = false;
        }
    }

    /** How many times in a row the relay has failed (0 while it works), and the last reason. */
    public int consecutiveFailures() {
        return supervisor.failuresInARow();
    }

    public String lastError() {
        return supervisor.lastError();
    }

    private void runEngine() throws IOException {
        Throwable[] failure = new Throwable[1];
        try (KafkaProducer<String, byte[]> producer = producer()) {
            engine = DebeziumEngine.create(Connect.class)
                    .using(connectorProperties())
                    .notifying((records, committer) -> publish(producer, records, committer))
                    .using((success, message, error) -> {
                        if (!success) {
                            failure[0] = error != null ? error : new IllegalStateException(message);
                        }
                    })
                    .build();
            if (running) {
                engine.run();
            }
        } finally {
            closeEngine();
        }
        if (failure[0] != null && running) {
            throw new IllegalStateException("connector stopped: " + failure[0].getMessage(), failure[0]);
        }
    }

    private void publish(KafkaProducer<String, byte[]> producer, List<ChangeEvent<SourceRecord, SourceRecord>> records,
                         DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        batch.lockInterruptibly();
        try {
            if (!running) {
                // a stop is waiting for the lock: leave this batch, unsent, to the next run
                throw new InterruptedException("the relay for domain " + config.domain() + " is stopping");
            }
            publishBatch(producer, records, committer);
        } finally {
            batch.unlock();
        }
    }

    private void publishBatch(KafkaProducer<String, byte[]> producer, List<ChangeEvent<SourceRecord, SourceRecord>> records,
                              DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        List<Long> committedAt = new ArrayList<>(records.size());
        for (ChangeEvent<SourceRecord, SourceRecord> change : records) {
            SourceRecord r = change.value();
            ProducerRecord<String, byte[]> out = r.topic().equals(messageTopic) ? fromMessage(r) : fromOutboxRow(r);
            if (out == null) {
                continue; // heartbeats, another domain's messages, a row change the router passed through
            }
            sends.add(producer.send(out));
            committedAt.add(out.timestamp());
        }
        for (int i = 0; i < sends.size(); i++) {
            try {
                sends.get(i).get();
            } catch (ExecutionException e) {
                // Not marking the batch makes Debezium stop; the supervisor restarts from the last committed offset.
                throw new IllegalStateException("publishing to Kafka failed: " + e.getCause().getMessage(), e.getCause());
            }
            published.increment();
            Long ts = committedAt.get(i);
            if (ts != null) {
                lag.record(Math.max(0, System.currentTimeMillis() - ts), TimeUnit.MILLISECONDS);
            }
        }
        for (int i = 0; i < records.size() - 1; i++) {
            committer.markProcessed(records.get(i));
        }
        if (!records.isEmpty()) {
            // the batch's offset is its last record's
            ChangeEvent<SourceRecord, SourceRecord> last = records.getLast();
            if (last.value().topic().equals(messageTopic)) {
                committer.markProcessed(last, resumeAfter(committer, last.value()));
            } else {
                committer.markProcessed(last);
            }
        }
        committer.markBatchFinished();
        supervisor.healed(); // a batch went through (heartbeats included): whatever failed before has healed
    }

    /**
     * The offset of a message, made to resume after it. Debezium records a transactional message as not completely
     * processed (its {@code lsn_proc} stays at the previous commit), because with some decoding plugins every change of
     * a transaction carries the same LSN; a restart would then publish the whole transaction again. pgoutput gives
     * each message its own LSN, as it does each row change, so the relay records it as Debezium records a row change:
     * a restart resumes after the message, and a clean stop and start publishes nothing twice.
     */
    private static DebeziumEngine.Offsets resumeAfter(DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer,
                                                      SourceRecord message) {
        DebeziumEngine.Offsets offsets = committer.buildOffsets();
        message.sourceOffset().forEach(offsets::set);
        offsets.set(PostgresOffsetContext.LAST_COMPLETELY_PROCESSED_LSN_KEY, message.sourceOffset().get(SourceInfo.LSN_KEY));
        return offsets;
    }

    /** An event the outbox wrote as a logical decoding message; its Kafka timestamp is the commit time. */
    private ProducerRecord<String, byte[]> fromMessage(SourceRecord r) {
        Struct value = (Struct) r.value();
        Struct message = value.getStruct("message");
        if (!messagePrefix.equals(message.getString("prefix"))) {
            return null; // the include list matches case-insensitively
        }
        OutboxMessage event;
        try {
            event = OutboxMessage.decode(buffer(message.get("content")));
        } catch (OutboxMessage.MalformedOutboxMessage e) {
            throw new IllegalStateException(e.getMessage() + " (at " + value.getStruct("source") + ")", e);
        }
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(eventsTopic, null, value.getStruct("source").getInt64("ts_ms"),
                event.aggregateId(), event.payload());
        out.headers().add(EventHeaders.EVENT_ID, event.eventId().toString().getBytes(StandardCharsets.UTF_8));
        header(out, EventHeaders.EVENT_TYPE, event.eventType());
        header(out, EventHeaders.CORRELATION_ID, event.correlationId());
        header(out, EventHeaders.CAUSATION_ID, event.causationId());
        header(out, EventHeaders.TRACEPARENT, event.traceparent());
        return out;
    }

    private static void header(ProducerRecord<String, byte[]> out, String name, String value) {
        if (value != null) {
            out.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A row of the former outbox table, as Debezium's outbox event router made it (see {@link #connectorProperties}). */
    private static ProducerRecord<String, byte[]> fromOutboxRow(SourceRecord r) {
        if (r.value() == null || !r.topic().startsWith("slipway.")) {
            return null;
        }
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(r.topic(), null, r.timestamp(), String.valueOf(r.key()), bytes(r.value()));
        for (Header h : r.headers()) {
            // only the envelope: Debezium's own context headers and the router's duplicate "id" stay behind
            if (h.value() != null && ENVELOPE.contains(h.key())) {
                out.headers().add(h.key(), String.valueOf(h.value()).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static ByteBuffer buffer(Object value) {
        if (value instanceof ByteBuffer b) {
            return b;
        }
        if (value instanceof byte[] b) {
            return ByteBuffer.wrap(b);
        }
        throw new IllegalStateException("outbox message content is " + (value == null ? "null" : value.getClass().getName())
                + ", expected bytes (binary.handling.mode=bytes)");
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] out = new byte[copy.remaining()];
            copy.get(out);
            return out;
        }
        throw new IllegalStateException("outbox payload is " + value.getClass().getName() + ", expected bytes");
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "slipway-relay-" + config.domain());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    Properties connectorProperties() {
        String slot = config.slotName();
        Properties p = new Properties();
        p.setProperty("name", "slipway-" + config.domain() + "-outbox");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", PostgresOffsetBackingStore.class.getName());
        p.setProperty(PostgresOffsetBackingStore.URL, config.jdbcUrl());
        p.setProperty(PostgresOffsetBackingStore.USER, config.db().user());
        p.setProperty(PostgresOffsetBackingStore.PASSWORD, config.db().password());
        p.setProperty(PostgresOffsetBackingStore.OWNER, slot);
        p.setProperty("offset.flush.interval.ms", String.valueOf(config.relay().offsetFlushInterval().toMillis()));
        p.setProperty("database.hostname", config.db().host());
        p.setProperty("database.port", String.valueOf(config.db().port()));
        p.setProperty("database.user", config.db().user());
        p.setProperty("database.password", config.db().password());
        p.setProperty("database.dbname", config.db().name());
        p.setProperty("topic.prefix", topicPrefix());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", slot);
        p.setProperty("publication.autocreate.mode", "disabled"); // OutboxSchema creates it, inserts only
        // New events: logical decoding messages of this domain's prefix, on <topic.prefix>.message.
        p.setProperty("message.prefix.include.list", OutboxMessage.prefixPattern(config.domain()));
        p.setProperty("binary.handling.mode", "bytes");
        // Events written to the outbox table before an upgrade (its publication is kept for them).
        p.setProperty("table.include.list", "public.outbox_event");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("skipped.operations", "u,d,t"); // never published anyway; a guard if the publication is changed
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("heartbeat.interval.ms", "10000");
        p.setProperty("poll.interval.ms", "50");
        p.setProperty("transforms", "outbox");
        p.setProperty("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter");
        p.setProperty("transforms.outbox.predicate", "outboxTable");
        p.setProperty("predicates", "outboxTable");
        p.setProperty("predicates.outboxTable.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
        p.setProperty("predicates.outboxTable.pattern", Pattern.quote(topicPrefix() + ".public.outbox_event"));
        p.setProperty("transforms.outbox.table.field.event.id", "id");
        p.setProperty("transforms.outbox.table.field.event.key", "aggregate_id");
        p.setProperty("transforms.outbox.table.field.event.payload", "payload");
        p.setProperty("transforms.outbox.route.by.field", "aggregate_type");
        p.setProperty("transforms.outbox.route.topic.replacement", "slipway.${routedByValue}.events");
        p.setProperty("transforms.outbox.table.fields.additional.placement",
                "id:header:eventId,event_type:header:eventType,correlation_id:header:correlationId,"
                        + "causation_id:header:causationId,traceparent:header:traceparent");
        p.putAll(config.relay().connector());
        return p;
    }

    private String topicPrefix() {
        return "slipway-" + config.domain();
    }

    private void closeEngine() {
        DebeziumEngine<?> e = engine;
        engine = null;
        if (e != null) {
            try {
                e.close();
            } catch (IOException ex) {
                LOG.warnf("closing the relay connector: %s", ex.getMessage());
            } catch (IllegalStateException ex) {
                // stopped already, by the failure being reported: that failure is what the supervisor must see
                LOG.debugf("closing the relay connector: %s", ex.getMessage());
            }
        }
    }
}
