package io.slipway.event.sink;

import io.slipway.event.route.Receiver;
import io.slipway.outbound.OutboundPolicy;
import io.slipway.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Sends a sink's events to its receiver until each is delivered or dead-lettered: a failed send is retried (backoff
 * with jitter, or the receiver's Retry-After) before anything after it is sent, within the receiver's budget of
 * attempts and time; a rejection, or what the budget could not deliver, goes to the sink's own dead-letter topic.
 */
final class SinkDelivery {
    private static final Logger LOG = Logger.getLogger(SinkDelivery.class);

    /** How the loop waits between attempts without leaving its group. */
    interface Waiting {
        /** Waits; false when the loop stops or the events in flight were revoked meanwhile. */
        boolean pauseFor(Duration delay);

        /** Whether the event's partition is still this loop's. */
        boolean owns(SinkEvent event);

        boolean running();
    }

    private final Receiver receiver;
    private final String deadLetterTopic;
    private final Transport transport;
    private final SendWindow window;
    private final SinkLoop.DeadLetterSink deadLetters;
    private final SinkOffsets offsets;
    private final SinkMeters meters;
    private final Backoff backoff;
    private List<SinkEvent> inFlight = List.of();

    /** {@code window}: the receiver's rate limits, null when it has none. */
    SinkDelivery(Receiver receiver, String topic, Transport transport, SendWindow window, SinkLoop.DeadLetterSink deadLetters,
                 SinkOffsets offsets, SinkMeters meters) {
        this.receiver = receiver;
        this.deadLetterTopic = receiver.deadLetterTopic(topic);
        this.transport = transport;
        this.window = window;
        this.deadLetters = deadLetters;
        this.offsets = offsets;
        this.meters = meters;
        Receiver.Retry retry = receiver.policy().retry();
        this.backoff = new Backoff(retry.initialBackoff(), retry.maxBackoff());
    }

    /** The events being sent, which no commit may pass. */
    List<SinkEvent> inFlight() {
        return inFlight;
    }

    /**
     * Sends until every event is delivered or dead-lettered and returns true; false when the loop stops or the events'
     * partitions were revoked meanwhile, in which case they stay in flight so no commit passes them.
     */
    boolean deliver(List<SinkEvent> events, Digest digest, Waiting waiting) {
        inFlight = events;
        boolean completed = attempts(events, digest, waiting);
        if (completed) {
            inFlight = List.of();
        }
        return completed;
    }

    /** Sends the record to the sink's dead-letter topic; it is then done. */
    void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        LOG.warnf("sink %s dead-letters %s/%d@%d: %s", receiver.name(), record.topic(), record.partition(), record.offset(), reason);
        deadLetters.send(deadLetterTopic, receiver.consumerGroup(), record, reason);
        meters.deadLettered();
        offsets.done(record);
    }

    private boolean attempts(List<SinkEvent> events, Digest digest, Waiting waiting) {
        long started = now();
        List<SinkEvent> remaining = events;
        for (int attempt = 1; ; attempt++) {
            if (window != null && !awaitWindow(waiting)) {
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
                        offsets.done(e.record());
                    }
                    case Outcome.Rejected r -> {
                        meters.failedAttempts(1);
                        deadLetter(e.record(), "rejected by " + receiver.target().kind() + " receiver " + receiver.name() + ": " + r.reason());
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
                }
                return true;
            }
            meters.retried(again.size());
            LOG.infof("sink %s retries %d event(s) from %s in %d ms (attempt %d): %s", receiver.name(), again.size(), again.get(0).position(),
                    delay.toMillis(), attempt, reason);
            if (!waiting.pauseFor(delay)) {
                return false;
            }
            remaining = again.stream().filter(waiting::owns).toList();
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
        } catch (OutboundPolicy.Refused e) {
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
    private boolean awaitWindow(Waiting waiting) {
        while (waiting.running()) {
            long wait = window.nextFree(now()) - now();
            if (wait <= 0) {
                return true;
            }
            if (!waiting.pauseFor(Duration.ofMillis(wait))) {
                return false;
            }
        }
        return false;
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

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
