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
 * {@code slipway.<domain>.events} keyed by aggregate id and publishes each batch in one Kafka transaction, committed
 * before the batch's source offset is. Inserts into the former outbox table, written before an upgrade, still travel
 * through Debezium's outbox event router. At most one instance of a service relays at a time (an advisory lock); the
 * others stand by.
 *
 * <p>Exactly once on the topic: every record carries its position in the slot's stream ({@link OutboxPosition}); a
 * run starts by fencing its predecessor's producer (the transactional id is the slot's) and reading how far the topic
 * got ({@link PublishedPositions}), and skips what the slot streams again up to there. See DESIGN.md.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private static final java.util.Set<String> ENVELOPE = java.util.Set.of(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE,
            EventHeaders.CORRELATION_ID, EventHeaders.CAUSATION_ID, EventHeaders.TRACEPARENT);

    /** How long a stop waits for the batch being published (Kafka unreachable: the batch is published again later). */
    private static final Duration BATCH_STOP_WAIT = Duration.ofSeconds(10);
    /** How long a run may take to read how far its topics are published before it gives up (and is restarted). */
    private static final Duration TAIL_READ_TIMEOUT = Duration.ofSeconds(60);
    /** How long closing the producer may wait for an abort to reach Kafka; the next run's fencing aborts it anyway. */
    private static final Duration PRODUCER_CLOSE_WAIT = Duration.ofSeconds(5);

    private final BackboneConfig config;
    private final String eventsTopic;
    private final String messagePrefix;
    private final String messageTopic;
    private final Counter published;
    private final Counter skipped;
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
        this.skipped = Counter.builder("slipway.outbox.relay.skipped")
                .description("Outbox records the slot streamed again after a crash and the relay skipped: their position was on the topic already")
                .tag("domain", config.domain()).register(metrics);
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
            String stream;
            try (var c = DriverManager.getConnection(config.jdbcUrl(), config.db().user(), config.db().password())) {
                OutboxSchema.prepare(c, config.slotName());
                stream = OutboxPosition.stream(config.slotName(), systemIdentifier(c));
            }
            leader = true;
            LOG.infof("relay for domain %s is active (slot %s)", config.domain(), config.slotName());
            runEngine(stream);
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

    /** The PostgreSQL cluster's system identifier, part of the stream's name (see {@link OutboxPosition#stream}). */
    private static String systemIdentifier(java.sql.Connection c) throws java.sql.SQLException {
        try (var q = c.createStatement(); var rs = q.executeQuery("select system_identifier from pg_control_system()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * One run of the connector, with a producer of its own. Before the connector streams anything, the producer's
     * {@code initTransactions} fences the producer of the previous run (or of a relay that died: same transactional
     * id), which aborts its open transaction or waits until its commit is complete; only then is how far the topic got
     * read, so that it includes everything the previous run committed.
     */
    private void runEngine(String stream) throws IOException {
        Throwable[] failure = new Throwable[1];
        KafkaProducer<String, byte[]> producer = producer();
        try (PublishedPositions positions = new PublishedPositions(config.kafka().bootstrapServers(),
                "slipway-relay-" + config.domain() + "-positions", stream, TAIL_READ_TIMEOUT)) {
            producer.initTransactions();
            OutboxPosition resumed = positions.published(eventsTopic);
            LOG.infof("relay for domain %s: %s holds the slot's stream up to %s", config.domain(), eventsTopic,
                    resumed == null ? "nothing" : resumed);
            Batches batches = new Batches(producer, positions, stream);
            engine = DebeziumEngine.create(Connect.class)
                    .using(connectorProperties())
                    .notifying((records, committer) -> publish(batches, records, committer))
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
            // an open transaction is aborted by the close, or else by the next run's initTransactions
            producer.close(PRODUCER_CLOSE_WAIT);
        }
        if (failure[0] != null && running) {
            throw new IllegalStateException("connector stopped: " + failure[0].getMessage(), failure[0]);
        }
    }

    /** What one run publishes with: its producer, how far its topics are published, and its stream's last position. */
    private static final class Batches {
        final KafkaProducer<String, byte[]> producer;
        final PublishedPositions positions;
        final String stream;
        /** The position of the last record of the previous batch, to tell a rewind of the connector. */
        OutboxPosition last;

        Batches(KafkaProducer<String, byte[]> producer, PublishedPositions positions, String stream) {
            this.producer = producer;
            this.positions = positions;
            this.stream = stream;
        }
    }

    private void publish(Batches batches, List<ChangeEvent<SourceRecord, SourceRecord>> records,
                         DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        batch.lockInterruptibly();
        try {
            if (!running) {
                // a stop is waiting for the lock: leave this batch, unsent, to the next run
                throw new InterruptedException("the relay for domain " + config.domain() + " is stopping");
            }
            publishBatch(batches, records, committer);
        } finally {
            batch.unlock();
        }
    }

    /**
     * Publishes the batch's records in one Kafka transaction, each with its position, skipping those the topic has
     * already, and commits the transaction before it marks the batch processed. A failure leaves the batch unmarked:
     * Debezium stops, the supervisor restarts the relay, and the new run fences this producer (aborting what it left
     * open) and reads the batch again from the last stored offset.
     */
    private void publishBatch(Batches run, List<ChangeEvent<SourceRecord, SourceRecord>> records,
                              DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        List<Long> committedAt = new ArrayList<>(records.size());
        java.util.Map<String, OutboxPosition> sentUpTo = new java.util.HashMap<>();
        OutboxPosition previous = null;
        IllegalStateException unreadable = null;
        for (ChangeEvent<SourceRecord, SourceRecord> change : records) {
            SourceRecord r = change.value();
            ProducerRecord<String, byte[]> out;
            try {
                out = r.topic().equals(messageTopic) ? fromMessage(r) : fromOutboxRow(r);
            } catch (IllegalStateException e) {
                unreadable = e; // a message of a framing version this relay does not know, say: publish what precedes it
                break;
            }
            if (out == null) {
                continue; // heartbeats, another domain's messages, a row change the router passed through
            }
            OutboxPosition position = OutboxPosition.of(r.sourceOffset());
            if (previous == null) {
                if (run.last != null && position.compareTo(run.last) <= 0) {
                    LOG.infof("relay for domain %s: the connector streams again from %s (after %s); what is published is skipped",
                            config.domain(), position, run.last);
                }
            } else if (position.compareTo(previous) <= 0) {
                // A batch is a stretch of the stream: positions that do not increase in it would make the skipping
                // below unsound. Stop rather than publish twice or skip what was never published.
                throw new IllegalStateException("outbox positions do not increase within a batch: " + position + " after "
                        + previous + " (at " + r.sourceOffset() + ")");
            }
            previous = position;
            if (run.positions.covers(out.topic(), position)) {
                skipped.increment();
                continue; // on the topic already: read again after a crash before its offset was stored
            }
            out.headers().add(OutboxPosition.HEADER, position.header(run.stream));
            if (sends.isEmpty()) {
                run.producer.beginTransaction();
            }
            sends.add(run.producer.send(out));
            committedAt.add(out.timestamp());
            sentUpTo.put(out.topic(), position);
        }
        if (previous != null) {
            run.last = previous;
        }
        if (!sends.isEmpty()) {
            try {
                run.producer.commitTransaction(); // flushes; fails if a send failed
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                throw new InterruptedException("interrupted while committing to Kafka (the relay for domain " + config.domain() + " is stopping)");
            } catch (org.apache.kafka.common.KafkaException e) {
                // Not marking the batch makes Debezium stop; the supervisor restarts from the last committed offset.
                throw new IllegalStateException("publishing to Kafka failed: " + sendFailure(sends, e), e);
            }
            sentUpTo.forEach(run.positions::advance);
        }
        for (int i = 0; i < sends.size(); i++) {
            published.increment();
            Long ts = committedAt.get(i);
            if (ts != null) {
                lag.record(Math.max(0, System.currentTimeMillis() - ts), TimeUnit.MILLISECONDS);
            }
        }
        if (unreadable != null) {
            // The relay stops at the record rather than skip it; what preceded it is on Kafka, and each restart
            // reads it again and skips it, until an instance that reads the record takes over.
            throw unreadable;
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

    /** Why a transaction failed: the first failed send's reason if a send failed, else the commit's. */
    private static String sendFailure(List<Future<RecordMetadata>> sends, Exception commitFailure) {
        for (Future<RecordMetadata> send : sends) {
            if (send.isDone()) {
                try {
                    send.get();
                } catch (ExecutionException e) {
                    return e.getCause().getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (java.util.concurrent.CancellationException e) {
                    // not a reason
                }
            }
        }
        return commitFailure.getMessage();
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

    /**
     * A transactional producer. Its transactional id is the slot's, the same for every run and every instance, so
     * that a run's {@code initTransactions} fences whatever producer relayed the slot before (a zombie's late commit
     * fails instead of landing behind the new run's read of the topic).
     */
    private KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "slipway-relay-" + config.domain());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putAll(config.relay().producer());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** The relay's Kafka transactional id: one per slot. */
    String transactionalId() {
        return "slipway-relay-" + config.slotName();
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
