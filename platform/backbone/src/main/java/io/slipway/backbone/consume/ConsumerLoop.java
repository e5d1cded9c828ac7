package io.slipway.backbone.consume;

import io.slipway.backbone.Backoff;
import io.slipway.backbone.EventHeaders;
import io.slipway.schemas.EventCodec;
import io.slipway.schemas.EventDecodingException;
import io.slipway.schemas.SchemaCatalog;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * One consumer group's loop: records of a partition are applied in order; a failure is retried with backoff up to
 * a bound, then the record goes to the dead-letter topic and the partition moves on. Offsets are committed only
 * after each record is applied or dead-lettered, so delivery is at-least-once and the idempotent apply makes it
 * effectively once.
 */
public final class ConsumerLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);

    /** Applies one event exactly once per group: false when the event id was applied before. */
    @FunctionalInterface
    public interface IdempotentApply {
        boolean apply(ConsumedEvent event) throws Exception;
    }

    /** What the loop reports; counters live in the metrics registry in production and in plain fields in tests. */
    public interface Listener {
        void applied(ConsumedEvent event);

        void duplicate(ConsumedEvent event);

        void retry(ConsumedEvent event, int attempt, Exception cause);
    }

    private final String group;
    private final Consumer<String, byte[]> consumer;
    private final IdempotentApply apply;
    private final DeadLetterSink deadLetters;
    private final int maxAttempts;
    private final Backoff backoff;
    private final Listener listener;
    private final AtomicLong lag = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean polled;

    /** Where given-up records go. */
    @FunctionalInterface
    public interface DeadLetterSink {
        void send(String group, ConsumerRecord<String, byte[]> record, String reason);
    }

    public ConsumerLoop(String group, Consumer<String, byte[]> consumer, IdempotentApply apply, DeadLetterSink deadLetters,
                        int maxAttempts, Duration initialBackoff, Duration maxBackoff, Listener listener) {
        this.group = group;
        this.consumer = consumer;
        this.apply = apply;
        this.deadLetters = deadLetters;
        this.maxAttempts = maxAttempts;
        this.backoff = new Backoff(initialBackoff, maxBackoff);
        this.listener = listener;
    }

    /** Records behind the end of the assigned partitions, as of the last poll. */
    public long lag() {
        return lag.get();
    }

    /** Whether a poll has succeeded since this loop started, i.e. it reached Kafka. */
    public boolean hasPolled() {
        return polled;
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                polled = true;
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (!running) {
                        break;
                    }
                    handle(record);
                    done.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                }
                if (!done.isEmpty()) {
                    try {
                        consumer.commitSync(done);
                    } catch (CommitFailedException e) {
                        // The group rebalanced meanwhile: the partitions' new owner gets these records again and
                        // the idempotent apply makes that harmless.
                        LOG.infof("group %s could not commit after a rebalance: %s", group, e.getMessage());
                    }
                }
                updateLag();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        ConsumedEvent event = ConsumedEvent.of(record);
        String invalid = envelopeProblem(event);
        if (invalid != null) {
            deadLetter(record, invalid);
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                if (apply.apply(event)) {
                    listener.applied(event);
                } else {
                    listener.duplicate(event);
                }
                return;
            } catch (EventDecodingException | PermanentEventFailure e) {
                deadLetter(record, e.getClass().getSimpleName() + ": " + e.getMessage());
                return;
            } catch (Exception e) {
                if (attempt >= maxAttempts || !running) {
                    if (running) {
                        deadLetter(record, "failed after " + attempt + " attempts: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                        return;
                    }
                    throw new IllegalStateException("stopping while " + event.position() + " is unapplied", e);
                }
                listener.retry(event, attempt, e);
                LockSupport.parkNanos(backoff.forRetry(attempt).toNanos());
            }
        }
    }

    /** Why a record cannot be an event at all (no retry can help), or null. */
    private static String envelopeProblem(ConsumedEvent event) {
        if (event.eventId() == null) {
            return "missing " + EventHeaders.EVENT_ID + " header";
        }
        try {
            long fingerprint = EventCodec.fingerprintOf(event.value());
            if (SchemaCatalog.released().byFingerprint(fingerprint).isEmpty()) {
                return "undecodable: unknown writer schema fingerprint " + Long.toHexString(fingerprint);
            }
        } catch (EventDecodingException e) {
            return "undecodable: " + e.getMessage();
        }
        return null;
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("group %s dead-letters %s/%d@%d: %s", group, record.topic(), record.partition(), record.offset(), reason);
        deadLetters.send(group, record, reason);
    }

    private void updateLag() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            total += consumer.currentLag(tp).orElse(0);
        }
        lag.set(total);
    }
}
