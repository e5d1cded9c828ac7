package io.slipway.event.sink;

import io.slipway.retry.Backoff;
import io.slipway.event.route.Receiver;
import io.slipway.event.route.RouteConfig;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.schemas.EventDecodingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * One receiver's delivery: its own consumer group on the events topic, so nothing it does (waiting out an outage,
 * retrying, holding back for a rate limit) delays any other receiver.
 *
 * <ul>
 *   <li>Records are handled one after the other in partition order; an event is retried (backoff with jitter, or
 *   the receiver's Retry-After) before anything after it is sent, so events of one involved object arrive in order.
 *   <li>After the retry budget (attempts or time) or a permanent rejection the event goes to the receiver's own
 *   dead-letter topic and the sink moves on.
 *   <li>When the rate limit allows no send, events are held back and go out as one digest as soon as it allows one;
 *   while a digest is pending every later event joins it (order again). At most {@code digest.maxEvents} are held;
 *   then the sink stops reading until the digest is out, so memory stays bounded.
 *   <li>Offsets are committed only below anything not yet delivered or dead-lettered (delivery is at-least-once).
 *   <li>While waiting it keeps polling with its partitions paused, so the group does not evict it however long a
 *   receiver stays down.
 * </ul>
 */
public final class SinkLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(SinkLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long COMMIT_INTERVAL_MS = 1000;

    /** Where a record goes when it cannot be delivered. */
    @FunctionalInterface
    public interface DeadLetterSink {
        void send(String deadLetterTopic, String group, ConsumerRecord<String, byte[]> record, String reason);
    }

    private final Receiver receiver;
    private final String topic;
    private final Consumer<String, byte[]> consumer;
    private final Transport transport;
    private final Supplier<RouteConfig> routing;
    private final DeadLetterSink deadLetters;
    private final SinkMeters meters;
    private final Backoff backoff;
    private final SendWindow window;
    private final EventCodec codec = EventCodec.released();

    private final List<SinkEvent> batch = new ArrayList<>();
    private final List<SinkEvent> held = new ArrayList<>();
    private List<SinkEvent> inFlight = List.of();
    private final Map<TopicPartition, Long> done = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final Set<TopicPartition> revoked = new HashSet<>();
    private long lastCommit;
    private boolean waiting;
    private volatile boolean running = true;
    private volatile boolean assigned;
    private volatile long lag;

    public SinkLoop(Receiver receiver, String topic, Consumer<String, byte[]> consumer, Transport transport, Supplier<RouteConfig> routing,
                    DeadLetterSink deadLetters, SinkMeters meters) {
        this.receiver = receiver;
        this.topic = topic;
        this.consumer = consumer;
        this.transport = transport;
        this.routing = routing;
        this.deadLetters = deadLetters;
        this.meters = meters;
        Receiver.Retry retry = receiver.policy().retry();
        this.backoff = new Backoff(retry.initialBackoff(), retry.maxBackoff());
        this.window = receiver.policy().rateLimits().isEmpty() ? null : new SendWindow(receiver.policy().rateLimits());
    }

    /** Whether the group has given this loop its partitions and their starting offsets are recorded. */
    public boolean assigned() {
        return assigned;
    }

    /** Records behind the end of the assigned partitions, as of the last poll. */
    public long lag() {
        return lag;
    }

    /** Events held back for the next digest. */
    public synchronized int held() {
        return held.size();
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic), new Rebalance());
        try {
            while (running) {
                if (!held.isEmpty() && window.free(now())) {
                    flushDigest();
                }
                boolean full = held.size() >= receiver.policy().digest().maxEvents();
                if (full) {
                    consumer.pause(consumer.assignment());
                } else if (!consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout());
                revoked.clear();
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (!running) {
                        break;
                    }
                    if (!revoked.contains(new TopicPartition(record.topic(), record.partition()))) {
                        handle(record);
                    }
                }
                if (running) {
                    flushBatch();
                    commit(true);
                    updateLag();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            try {
                commit(true);
            } catch (RuntimeException e) {
                LOG.infof("sink %s: last commit on stop failed (%s); the uncommitted events will be delivered again", receiver.name(), e.getMessage());
            }
            consumer.close();
        }
    }

    private Duration pollTimeout() {
        if (held.isEmpty()) {
            return POLL;
        }
        long untilFree = window.nextFree(now()) - now();
        return Duration.ofMillis(Math.max(1, Math.min(POLL.toMillis(), untilFree)));
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        KubeEvent event;
        try {
            event = codec.decode(record.value(), KubeEvent.class);
        } catch (EventDecodingException e) {
            deadLetter(record, "undecodable: " + e.getMessage());
            markDone(record);
            return;
        }
        if (!routing.get().routesTo(event, receiver.name())) {
            markDone(record);
            return;
        }
        SinkEvent sinkEvent = new SinkEvent(event, record);
        if (!held.isEmpty()) {
            hold(sinkEvent);
            return;
        }
        batch.add(sinkEvent);
        if (batch.size() >= receiver.policy().batchSize()) {
            flushBatch();
        }
    }

    private void flushBatch() {
        if (batch.isEmpty()) {
            return;
        }
        List<SinkEvent> events = List.copyOf(batch);
        batch.clear();
        if (!held.isEmpty() || (window != null && !window.free(now()))) {
            events.forEach(this::hold);
            return;
        }
        deliver(events, null);
    }

    private synchronized void hold(SinkEvent event) {
        held.add(event);
    }

    private void flushDigest() {
        List<SinkEvent> events;
        synchronized (this) {
            events = List.copyOf(held);
        }
        boolean completed = events.size() == 1 ? deliver(events, null)
                : deliver(events, new Digest(events, window.toString(), receiver.policy().digest().lines()));
        if (completed) {
            synchronized (this) {
                held.removeAll(events);
            }
            commit(false);
        }
    }

    /**
     * Sends until every event is delivered or dead-lettered and returns true; false when the loop stops or the events'
     * partitions were revoked meanwhile, in which case they stay "in flight" so no commit passes them.
     */
    private boolean deliver(List<SinkEvent> events, Digest digest) {
        inFlight = events;
        boolean completed = attempts(events, digest);
        if (completed) {
            inFlight = List.of();
            commit(false);
        }
        return completed;
    }

    private boolean attempts(List<SinkEvent> events, Digest digest) {
        long started = now();
        List<SinkEvent> remaining = events;
        for (int attempt = 1; ; attempt++) {
            if (window != null && !awaitWindow()) {
                return false;
            }
            List<Outcome> outcomes = send(new Notification(remaining, digest));
            List<SinkEvent> again = new ArrayList<>();
            Duration after = Duration.ZERO;
            String reason = null;
            for (int i = 0; i < remaining.size(); i++) {
                SinkEvent e = remaining.get(i);
                Outcome o = outcomes.size() == 1 ? outcomes.get(0) : outcomes.get(i);
                switch (o) {
                    case Outcome.Delivered d -> {
                        meters.delivered(e, now());
                        markDone(e.record());
                    }
                    case Outcome.Rejected r -> {
                        meters.failedAttempts(1);
                        deadLetter(e.record(), "rejected by " + receiver.target().kind() + " receiver " + receiver.name() + ": " + r.reason());
                        markDone(e.record());
                    }
                    case Outcome.Retry r -> {
                        again.add(e);
                        reason = r.reason();
                        if (r.after() != null && r.after().compareTo(after) > 0) {
                            after = r.after();
                        }
                    }
                }
            }
            if (digest != null && outcomes.get(0) instanceof Outcome.Delivered) {
                meters.digest(remaining.size());
            }
            if (again.isEmpty()) {
                return true;
            }
            meters.failedAttempts(again.size());
            Duration delay = max(backoff.forRetry(attempt), after);
            Receiver.Retry budget = receiver.policy().retry();
            long elapsed = now() - started;
            if ((budget.maxAttempts() > 0 && attempt >= budget.maxAttempts()) || elapsed + delay.toMillis() > budget.maxElapsed().toMillis()) {
                String why = "gave up after " + attempt + " attempt(s) in " + Duration.ofMillis(elapsed).toSeconds() + " s: " + reason;
                for (SinkEvent e : again) {
                    deadLetter(e.record(), why);
                    markDone(e.record());
                }
                return true;
            }
            meters.retried(again.size());
            LOG.infof("sink %s retries %d event(s) from %s in %d ms (attempt %d): %s", receiver.name(), again.size(), again.get(0).position(),
                    delay.toMillis(), attempt, reason);
            if (!pauseFor(delay)) {
                return false;
            }
            remaining = again.stream().filter(e -> !revoked.contains(e.partition())).toList();
            if (remaining.isEmpty()) {
                return true;
            }
        }
    }

    private List<Outcome> send(Notification notification) {
        try {
            List<Outcome> outcomes = transport.send(notification);
            if (outcomes.size() != 1 && outcomes.size() != notification.events().size()) {
                throw new IllegalStateException(receiver.target().kind() + " transport answered " + outcomes.size() + " outcomes for "
                        + notification.events().size() + " events");
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(Outcome.retry("interrupted"));
        } catch (io.slipway.outbound.OutboundPolicy.Refused e) {
            return List.of(Outcome.rejected(e.getMessage())); // nothing was sent; a retry would be refused the same way
        } catch (Exception e) {
            return List.of(Outcome.retry(describe(e)));
        } finally {
            if (window != null) {
                window.record(now());
            }
        }
    }

    /** Waits until the rate limit allows a send; false when the loop stops meanwhile. */
    private boolean awaitWindow() {
        while (running) {
            long wait = window.nextFree(now()) - now();
            if (wait <= 0) {
                return true;
            }
            if (!pauseFor(Duration.ofMillis(wait))) {
                return false;
            }
        }
        return false;
    }

    /**
     * Waits while keeping the group membership: the partitions are paused and polled, so no record is fetched and
     * the group does not consider this member dead. False when the loop stops or the events in flight were revoked.
     */
    private boolean pauseFor(Duration delay) {
        long deadline = now() + delay.toMillis();
        Set<TopicPartition> paused = new HashSet<>(consumer.assignment());
        consumer.pause(paused);
        waiting = true;
        try {
            while (running && now() < deadline) {
                ConsumerRecords<String, byte[]> unexpected = consumer.poll(Duration.ofMillis(Math.max(1, Math.min(500, deadline - now()))));
                // newly assigned partitions are paused by the rebalance listener; should any record still come, it is read again later
                for (TopicPartition tp : unexpected.partitions()) {
                    consumer.seek(tp, unexpected.records(tp).get(0).offset());
                }
                if (!inFlight.isEmpty() && inFlight.stream().allMatch(e -> revoked.contains(e.partition()))) {
                    return false;
                }
            }
            return running;
        } finally {
            waiting = false;
            consumer.resume(consumer.assignment());
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("sink %s dead-letters %s/%d@%d: %s", receiver.name(), record.topic(), record.partition(), record.offset(), reason);
        deadLetters.send(receiver.deadLetterTopic(topic), receiver.consumerGroup(), record, reason);
        meters.deadLettered();
    }

    private void markDone(ConsumerRecord<String, byte[]> record) {
        done.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
    }

    /** The offsets below which everything is delivered or dead-lettered. */
    private Map<TopicPartition, OffsetAndMetadata> safeOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> lowestPending = new HashMap<>();
        for (List<SinkEvent> pending : List.of(batch, held, inFlight)) {
            for (SinkEvent e : pending) {
                lowestPending.merge(e.partition(), e.offset(), Math::min);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long next = done.get(tp);
            if (next == null) {
                continue;
            }
            long safe = lowestPending.containsKey(tp) ? Math.min(next, lowestPending.get(tp)) : next;
            if (!Long.valueOf(safe).equals(committed.get(tp))) {
                out.put(tp, new OffsetAndMetadata(safe));
            }
        }
        return out;
    }

    private void commit(boolean force) {
        if (!force && now() - lastCommit < COMMIT_INTERVAL_MS) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = safeOffsets(consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
            offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
            lastCommit = now();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved to another member, which delivers from the last commit: at-least-once
            LOG.infof("sink %s could not commit after a rebalance: %s", receiver.name(), e.getMessage());
        }
    }

    private void updateLag() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            total += consumer.currentLag(tp).orElse(0);
        }
        lag = total;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    /** What went wrong, in words that never carry a URL (its query may hold a token). */
    static String describe(Exception e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.replaceAll("https?://\\S+", "<url>"));
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets = safeOffsets(partitions);
            if (!offsets.isEmpty()) {
                try {
                    consumer.commitSync(offsets);
                } catch (RuntimeException e) {
                    LOG.infof("sink %s could not commit revoked partitions: %s", receiver.name(), e.getMessage());
                }
            }
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (waiting) {
                consumer.pause(partitions);
            }
            // a new group starts at the latest (or earliest) offset; recording that start now means events published
            // while this instance is down later are still found where it left off
            Map<TopicPartition, OffsetAndMetadata> known = consumer.committed(new HashSet<>(partitions));
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = known.get(tp);
                if (c == null) {
                    start.put(tp, new OffsetAndMetadata(consumer.position(tp)));
                } else {
                    committed.put(tp, c.offset());
                }
            }
            if (!start.isEmpty()) {
                consumer.commitSync(start);
                start.forEach((tp, o) -> committed.put(tp, o.offset()));
            }
            assigned = true;
        }

        private void forget(Collection<TopicPartition> partitions) {
            revoked.addAll(partitions);
            synchronized (SinkLoop.this) {
                held.removeIf(e -> partitions.contains(e.partition()));
            }
            batch.removeIf(e -> partitions.contains(e.partition()));
            partitions.forEach(tp -> {
                done.remove(tp);
                committed.remove(tp);
            });
        }
    }
}
