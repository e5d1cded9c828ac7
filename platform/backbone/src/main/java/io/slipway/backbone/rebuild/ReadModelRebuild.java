package io.slipway.backbone.rebuild;

import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.IdempotentConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.Config;

/**
 * Rebuilds a service's read models ({@link ReadModel}) from their topics into a fresh schema and compares them, row by
 * row, with the live ones; on request it swaps the rebuilt rows in. Every event is applied by the same code the live
 * listener runs, in the same kind of transaction ({@link IdempotentConsumer#applyIn}), so a difference is a row the
 * events do not explain: a change made without its event, a lost or doubled one, or a corrupted row.
 *
 * <p>The rebuild reads each topic from its beginning to the end it has when the rebuild starts. The swap then, in one
 * transaction holding the live tables (and {@code processed_event}) against writes, applies what arrived since to the
 * rebuilt schema, replaces the live rows and the group's applied event ids with the rebuilt ones, and commits: the live
 * listener, held meanwhile, goes on from there and finds every event it has not seen as new and every other as known.
 * The schema is dropped afterwards either way.
 */
@ApplicationScoped
public class ReadModelRebuild {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String PROCESSED = "processed_event";

    private final Instance<ReadModel> models;
    private final IdempotentConsumer consumer;
    private final Instance<DataSource> dataSource;
    private final BackboneConfig config;
    private final Config mpConfig;

    ReadModelRebuild(Instance<ReadModel> models, IdempotentConsumer consumer, Instance<DataSource> dataSource, BackboneConfig config,
                     Config mpConfig) {
        this.models = models;
        this.consumer = consumer;
        this.dataSource = dataSource;
        this.config = config;
        this.mpConfig = mpConfig;
    }

    /** What a model is made of, for people: its name, topic, consumer group and tables. */
    public record Declared(String name, String channel, String topic, String group, List<String> tables) {
    }

    public List<Declared> declared() {
        return models.stream().map(m -> new Declared(m.name(), m.channel(), topic(m), consumer.group(m.channel()), m.tables())).toList();
    }

    /** Rebuilds every read model of this service, compares, and swaps the rebuilt rows in when {@code swap}. */
    public synchronized RebuildReport rebuild(boolean swap) throws SQLException {
        List<ReadModel> all = models.stream().toList();
        if (all.isEmpty()) {
            return new RebuildReport(config.domain(), List.of(), List.of(), true, false);
        }
        String schema = "rebuild_" + Long.toString(System.currentTimeMillis(), 36);
        Set<String> tables = new LinkedHashSet<>();
        all.forEach(m -> tables.addAll(m.tables()));
        DataSource db = dataSource.get();
        try {
            createSchema(db, schema, tables);
            Map<ReadModel, Map<TopicPartition, Long>> ends = new HashMap<>();
            List<RebuildReport.Model> replayed = new ArrayList<>();
            for (ReadModel m : all) {
                Replay r = new Replay(m);
                ends.put(m, r.readTo(schema, null));
                replayed.add(r.report());
            }
            List<RebuildReport.Table> compared = new ArrayList<>();
            try (Connection c = db.getConnection()) {
                for (String t : tables) {
                    compared.add(TableComparison.compare(c, "public", schema, t));
                }
            }
            boolean identical = compared.stream().allMatch(RebuildReport.Table::identical)
                    && replayed.stream().allMatch(r -> r.failures().isEmpty());
            if (swap) {
                swapIn(db, schema, all, tables, ends);
            }
            return new RebuildReport(config.domain(), replayed, compared, identical, swap);
        } finally {
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("drop schema if exists " + schema + " cascade");
            }
        }
    }

    private static void createSchema(DataSource db, String schema, Set<String> tables) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("create schema " + schema);
            for (String t : tables) {
                st.execute("create table " + schema + "." + t + " (like public." + t + " including all)");
            }
            st.execute("create table " + schema + "." + PROCESSED + " (like public." + PROCESSED + " including all)");
        }
    }

    /**
     * Holds the live tables against writes, brings the rebuilt schema up to the topics' ends now, and replaces the live
     * rows and the groups' applied event ids with the rebuilt ones, in one transaction.
     */
    private void swapIn(DataSource db, String schema, List<ReadModel> all, Set<String> tables,
                        Map<ReadModel, Map<TopicPartition, Long>> ends) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("lock table public." + PROCESSED + ", " + String.join(", ", tables.stream().map(t -> "public." + t).toList())
                        + " in exclusive mode");
                for (ReadModel m : all) {
                    Replay catchUp = new Replay(m);
                    catchUp.readTo(schema, ends.get(m));
                    if (!catchUp.failures.isEmpty()) {
                        throw new IllegalStateException("the rebuilt " + m.name() + " failed to apply what arrived meanwhile: " + catchUp.failures);
                    }
                }
                for (String t : tables) {
                    st.execute("delete from public." + t);
                    st.execute("insert into public." + t + " select * from " + schema + "." + t);
                }
                for (ReadModel m : all) {
                    String group = consumer.group(m.channel()).replace("'", "''");
                    st.execute("delete from public." + PROCESSED + " where consumer_group = '" + group + "'");
                    st.execute("insert into public." + PROCESSED + " select * from " + schema + "." + PROCESSED + " where consumer_group = '" + group + "'");
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private String topic(ReadModel m) {
        return mpConfig.getValue("mp.messaging.incoming." + m.channel() + ".topic", String.class);
    }

    /** One read model's topic applied to the rebuild schema, from where it was to the end it has now. */
    private final class Replay {
        private final ReadModel model;
        private long records;
        private long applied;
        private long duplicates;
        private long skipped;
        private final List<String> failures = new ArrayList<>();

        Replay(ReadModel model) {
            this.model = model;
        }

        /** Applies the records after {@code from} (each partition's offset; null: from the beginning); answers the ends reached. */
        Map<TopicPartition, Long> readTo(String schema, Map<TopicPartition, Long> from) {
            String topic = topic(model);
            try (KafkaConsumer<String, byte[]> kafka = kafka()) {
                List<TopicPartition> partitions = kafka.partitionsFor(topic, TIMEOUT).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                Map<TopicPartition, Long> ends = kafka.endOffsets(partitions, TIMEOUT);
                kafka.assign(partitions);
                for (TopicPartition tp : partitions) {
                    if (from == null || !from.containsKey(tp)) {
                        kafka.seekToBeginning(List.of(tp));
                    } else {
                        kafka.seek(tp, from.get(tp));
                    }
                }
                long deadline = System.nanoTime() + TIMEOUT.toNanos() * 10;
                while (partitions.stream().anyMatch(tp -> kafka.position(tp, TIMEOUT) < ends.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read " + topic + " to its end within " + TIMEOUT.toSeconds() * 10 + " s");
                    }
                    for (ConsumerRecord<String, byte[]> r : kafka.poll(Duration.ofMillis(200))) {
                        if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                            apply(schema, r);
                        }
                    }
                }
                return ends;
            }
        }

        private void apply(String schema, ConsumerRecord<String, byte[]> r) {
            records++;
            ConsumedEvent event = ConsumedEvent.of(r);
            if (IdempotentConsumer.envelopeProblem(event) != null) {
                skipped++; // live, it went to the dead-letter topic and changed nothing
                return;
            }
            try {
                if (BlockingCalls.await(() -> consumer.applyIn(schema, model.channel(), event, model::apply))) {
                    applied++;
                } else {
                    duplicates++;
                }
            } catch (RuntimeException e) {
                failures.add(event.position() + " (" + event.eventType() + "): " + e.getMessage());
            }
        }

        RebuildReport.Model report() {
            return new RebuildReport.Model(model.name(), topic(model), consumer.group(model.channel()), records, applied, duplicates, skipped,
                    List.copyOf(failures));
        }

        private KafkaConsumer<String, byte[]> kafka() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
            p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false"); // a topic nobody wrote yet is an empty one
            return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        }
    }
}
