package io.slipway.event.sink.kafka;

import io.slipway.event.route.EventView;
import io.slipway.event.route.Target;
import io.slipway.event.sink.HttpSend;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.SinkEvent;
import io.slipway.event.sink.Transport;
import io.slipway.outbound.OutboundPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Kafka topic on any cluster, with an idempotent producer (acks=all). The key stays the involved object's uid, so
 * the receiving topic keeps each object's events in order. Without a layout the record goes on as it came: the Avro
 * event and its envelope headers; {@code json} sends the event document, a layout its rendering. A batch is sent at
 * once and each record's acknowledgement decides its outcome; Kafka's retriable errors are retried.
 */
public final class KafkaTransport implements Transport {
    private final Target.Kafka target;
    private final KafkaProducer<String, byte[]> producer;
    private final Duration timeout;
    private final OutboundPolicy outbound;
    private final String receiver;

    /**
     * A producer for {@code target}; its bootstrap hosts were checked against {@code outbound} before, and the brokers
     * they announce are checked before each batch (a cluster may name any address as a partition's leader).
     */
    public KafkaTransport(Target.Kafka target, String clientId, Duration timeout, OutboundPolicy outbound, String receiver) {
        this.target = target;
        this.timeout = timeout;
        this.outbound = outbound;
        this.receiver = receiver;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", target.brokers()));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout.toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(timeout.toMillis() * 2, timeout.toMillis() + 5)));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putAll(target.properties());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public List<Outcome> send(Notification n) throws Exception {
        try {
            checkLeaders();
        } catch (OutboundPolicy.Refused e) {
            throw e;
        } catch (RuntimeException e) {
            return List.of(outcome(e)); // no metadata yet: the cluster is out of reach
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<Outcome> early = new ArrayList<>();
        for (SinkEvent e : n.events()) {
            try {
                sent.add(producer.send(record(e)));
                early.add(null);
            } catch (RuntimeException ex) {
                sent.add(null);
                early.add(outcome(ex));
            }
        }
        producer.flush();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            if (sent.get(i) == null) {
                outcomes.add(early.get(i));
                continue;
            }
            try {
                sent.get(i).get(timeout.toMillis() * 3, TimeUnit.MILLISECONDS);
                outcomes.add(Outcome.DELIVERED);
            } catch (ExecutionException ex) {
                outcomes.add(outcome(ex.getCause()));
            } catch (TimeoutException ex) {
                outcomes.add(Outcome.retry("Kafka did not acknowledge in time"));
            }
        }
        return outcomes;
    }

    /**
     * The brokers that lead the topic's partitions, as the cluster announces them, must be where the outbound policy
     * allows: a bootstrap host on an allowed address may hand out a leader on a private one. Nothing is sent otherwise.
     */
    private void checkLeaders() {
        java.util.Set<String> hosts = new java.util.TreeSet<>();
        for (PartitionInfo p : producer.partitionsFor(target.topic())) {
            if (p.leader() != null && !p.leader().isEmpty()) {
                hosts.add(p.leader().host());
            }
        }
        for (String host : hosts) {
            outbound.checkHost(host, "receiver " + receiver + ": broker " + host + ", announced by the cluster,");
        }
    }

    private ProducerRecord<String, byte[]> record(SinkEvent e) throws Exception {
        if (target.layout() == null && !target.json()) {
            return new ProducerRecord<>(target.topic(), null, e.record().key(), e.record().value(), e.record().headers());
        }
        Object doc = target.layout() != null ? target.layout().render(e.view()) : EventView.document(e.event());
        return new ProducerRecord<>(target.topic(), null, e.record().key(), HttpSend.json(doc), e.record().headers());
    }

    private static Outcome outcome(Throwable e) {
        String why = "Kafka: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        return e instanceof RetriableException || e instanceof org.apache.kafka.common.errors.TimeoutException
                ? Outcome.retry(why) : Outcome.rejected(why);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
