package io.slipway.event.sink;

import io.slipway.event.route.Receiver;
import io.slipway.event.route.RouteConfig;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.schemas.EventDecodingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * One receiver's delivery: its own consumer group on the events topic, so nothing it does (waiting out an outage,
 * retrying, holding back for a rate limit) delays any other receiver. The loop polls, picks the events routed to the
 * receiver and batches them or holds them for a digest; {@link SinkDelivery} sends them (retries, dead letters) and
 * {@link SinkOffsets} commits behind them.
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

    /** Where a record goes when it cannot be delivered. */
    @FunctionalInterface
    public interface DeadLetterSink {
        void send(String deadLetterTopic, String group, ConsumerRecord<String, byte[]> record, String reason);
    }

    private final Receiver receiver;
    private final String topic;
    private final Consumer<String, byte[]> consumer;
    private final Supplier<RouteConfig> routing;
    private final SendWindow window;
    private final SinkOffsets offsets;
    private final SinkDelivery delivery;
    private final PausedPolling waitingInGroup = new PausedPolling();
    private final EventCodec codec = EventCodec.released();

    private final List<SinkEvent> batch = new ArrayList<>();
    private final List<SinkEvent> held = new ArrayList<>();
    private final Set<TopicPartition> revoked = new HashSet<>();
    private boolean waiting;
    private volatile boolean running = true;
    private volatile boolean assigned;
    private volatile long lag;

    public SinkLoop(Receiver receiver, String topic, Consumer<String, byte[]> consumer, Transport transport, Supplier<RouteConfig> routing,
                    DeadLetterSink deadLetters, SinkMeters meters) {
        this.receiver = receiver;
        this.topic = topic;
        this.consumer = consumer;
        this.routing = routing;
        this.window = receiver.policy().rateLimits().isEmpty() ? null : new SendWindow(receiver.policy().rateLimits());
        this.offsets = new SinkOffsets(receiver.name(), consumer, this::pending);
        this.delivery = new SinkDelivery(receiver, topic, transport, window, deadLetters, offsets, meters);
    }

    /** Whether the group has given this loop its partitions and their starting offsets are recorded. */
    public boolean assigned() {
        return assigned;
    }

    /** Records behind the end of the assigned partitions, as of the last poll. */
    public long lag() {
        return lag;
    }

    /** What was read and is not yet delivered or dead-lettered: batched, held for a digest, being sent. */
    private List<List<SinkEvent>> pending() {
        return List.of(batch, held, delivery.inFlight());
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
                    offsets.commit(true);
                    updateLag();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            try {
                offsets.commit(true);
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
            delivery.deadLetter(record, "undecodable: " + e.getMessage());
            return;
        }
        if (!routing.get().routesTo(event, receiver.name())) {
            offsets.done(record);
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
            offsets.commit(false);
        }
    }

    /** Sends the events (see {@link SinkDelivery#deliver}); once they are all done, commits at most once a second. */
    private boolean deliver(List<SinkEvent> events, Digest digest) {
        boolean completed = delivery.deliver(events, digest, waitingInGroup);
        if (completed) {
            offsets.commit(false);
        }
        return completed;
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
                List<SinkEvent> inFlight = delivery.inFlight();
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

    private void updateLag() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            total += consumer.currentLag(tp).orElse(0);
        }
        lag = total;
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    /** How a delivery waits: polling with the partitions paused, so the group keeps this member. */
    private final class PausedPolling implements SinkDelivery.Waiting {
        @Override
        public boolean pauseFor(Duration delay) {
            return SinkLoop.this.pauseFor(delay);
        }

        @Override
        public boolean owns(SinkEvent event) {
            return !revoked.contains(event.partition());
        }

        @Override
        public boolean running() {
            return running;
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            offsets.revoked(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (waiting) {
                consumer.pause(partitions);
            }
            offsets.assigned(partitions);
            assigned = true;
        }

        private void forget(Collection<TopicPartition> partitions) {
            revoked.addAll(partitions);
            synchronized (SinkLoop.this) {
                held.removeIf(e -> partitions.contains(e.partition()));
            }
            batch.removeIf(e -> partitions.contains(e.partition()));
        }
    }
}
