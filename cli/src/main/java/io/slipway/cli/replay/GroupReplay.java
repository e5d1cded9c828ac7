package io.slipway.cli.replay;

import io.slipway.cli.UserError;
import io.slipway.cli.events.KafkaReaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Moves one consumer group's position on one topic, as {@code kafka-consumer-groups --reset-offsets} does, with the
 * checks an operator of an event-sourced platform needs: the group must have no running member (Kafka refuses to move a
 * live group's offsets, and a running consumer would overwrite them with its next commit), a move forward that skips
 * records is refused unless asked for, and a plan says per partition how many records the group reads again (or skips),
 * counted by reading them as the group will ({@code read_committed}: aborted records and transaction markers do not
 * count).
 *
 * <p>Reading again is safe for Slipway's own groups: every service consumes through the backbone's idempotent consumer,
 * which drops an event id it has already applied (docs/events.md).
 */
public final class GroupReplay implements AutoCloseable {
    private static final long TIMEOUT_S = 15;

    /** One partition's move: where the group is (null: never committed there), where it goes, and what that means. */
    public record Move(int partition, Long committed, long target, long logStart, long logEnd, long records) {
        /** The position the group reads from now: its commit, or (none) the oldest record, the platform's auto.offset.reset. */
        public long current() {
            return committed != null ? committed : logStart;
        }

        public boolean skips() {
            return target > current();
        }
    }

    public record Plan(String topic, String group, StartPoint from, List<Move> moves) {
        public long readAgain() {
            return moves.stream().filter(m -> !m.skips()).mapToLong(Move::records).sum();
        }

        public long skipped() {
            return moves.stream().filter(Move::skips).mapToLong(Move::records).sum();
        }
    }

    private final String bootstrapServers;
    private final Admin admin;

    public GroupReplay(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "slipway-replay");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TimeUnit.SECONDS.toMillis(TIMEOUT_S)));
        this.admin = Admin.create(p);
    }

    /** What moving {@code group} on {@code topic} (one partition, or all when {@code partition} is null) would do. */
    public Plan plan(String topic, String group, StartPoint from, Integer partition) {
        List<TopicPartition> partitions = partitions(topic, partition);
        Map<TopicPartition, OffsetAndMetadata> committed = committed(group, partitions);
        if (committed.isEmpty()) {
            throw new UserError("consumer group " + group + " has never committed a position on " + topic + groupsOn(topic));
        }
        Map<TopicPartition, Long> starts = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> targets = targets(partitions, from, starts, ends);
        List<Move> moves = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = reader()) {
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                long start = starts.get(tp);
                long end = ends.get(tp);
                long target = Math.max(start, Math.min(end, targets.get(tp)));
                Long at = c == null ? null : c.offset();
                long current = at != null ? at : start;
                moves.add(new Move(tp.partition(), at, target, start, end, count(reader, tp, Math.min(current, target), Math.max(current, target))));
            }
        }
        return new Plan(topic, group, from, moves);
    }

    /** Moves the group as {@code plan} says; refused while the group has a running member. */
    public void apply(Plan plan) {
        requireNoMembers(plan.group());
        Map<TopicPartition, OffsetAndMetadata> to = new HashMap<>();
        for (Move m : plan.moves()) {
            to.put(new TopicPartition(plan.topic(), m.partition()), new OffsetAndMetadata(m.target(), "slipway replay --from " + plan.from().text()));
        }
        try {
            admin.alterConsumerGroupOffsets(plan.group(), to).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownMemberIdException) {
                // a member joined between the check and the move
                requireNoMembers(plan.group());
            }
            throw new IllegalStateException("Kafka refused to move " + plan.group() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw failed("moving " + plan.group(), e);
        }
    }

    /** Fails, naming them, when {@code group} has members: a running consumer's next commit would undo any move. */
    public void requireNoMembers(String group) {
        ConsumerGroupDescription d;
        try {
            d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return; // a group Kafka does not know has no member (plan() then says it never read the topic)
            }
            throw new IllegalStateException("describing " + group + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw failed("describing " + group, e);
        }
        Collection<MemberDescription> members = d.members();
        if (!members.isEmpty()) {
            String who = members.stream().map(m -> m.clientId() + " on " + m.host()).sorted().collect(Collectors.joining(", "));
            throw new UserError("consumer group " + group + " has " + members.size() + " running member(s) (" + who + "); its position"
                    + " moves only while none runs: stop the service that consumes it first (slipway down; a sink of event-svc:"
                    + " POST /api/v1/sinks/<name>/replay re-drives it while event-svc runs)");
        }
    }

    private List<TopicPartition> partitions(String topic, Integer partition) {
        TopicDescription d;
        try {
            d = admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new UserError("topic " + topic + " does not exist on " + bootstrapServers);
            }
            throw failed("describing " + topic, e);
        } catch (InterruptedException | TimeoutException e) {
            throw failed("describing " + topic, e);
        }
        List<TopicPartition> all = d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        if (partition == null) {
            return all;
        }
        if (partition < 0 || partition >= all.size()) {
            throw new UserError("--partition " + partition + ": " + topic + " has partitions 0 to " + (all.size() - 1));
        }
        return List.of(new TopicPartition(topic, partition));
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group, List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> all = get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
                "reading the positions of " + group);
        Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
        for (TopicPartition tp : partitions) {
            if (all.get(tp) != null) {
                mine.put(tp, all.get(tp));
            }
        }
        return mine;
    }

    /** "; groups with a position there: a, b" so that a mistyped group name is fixed from the message alone. */
    private String groupsOn(String topic) {
        Collection<ConsumerGroupListing> groups = get(admin.listConsumerGroups().all(), "listing consumer groups");
        List<String> on = new ArrayList<>();
        for (ConsumerGroupListing g : groups) {
            Map<TopicPartition, OffsetAndMetadata> offsets = get(admin.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata(),
                    "reading the positions of " + g.groupId());
            if (offsets.keySet().stream().anyMatch(tp -> tp.topic().equals(topic))) {
                on.add(g.groupId());
            }
        }
        return on.isEmpty() ? "; no group has one" : "; groups with a position there: " + String.join(", ", on.stream().sorted().toList());
    }

    private Map<TopicPartition, Long> targets(List<TopicPartition> partitions, StartPoint from, Map<TopicPartition, Long> starts,
                                              Map<TopicPartition, Long> ends) {
        return switch (from.kind()) {
            case EARLIEST -> starts;
            case LATEST -> ends;
            case OFFSET -> partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> from.offset()));
            case TIME -> {
                Map<TopicPartition, Long> at = offsets(partitions, OffsetSpec.forTimestamp(from.time().toEpochMilli()));
                // no record at or after the time: the partition's end
                yield partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> at.get(tp) < 0 ? ends.get(tp) : at.get(tp)));
            }
        };
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> spec));
        Map<TopicPartition, ListOffsetsResultInfo> answer = get(admin.listOffsets(request,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(), "listing offsets");
        Map<TopicPartition, Long> offsets = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        answer.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    private KafkaConsumer<byte[], byte[]> reader() {
        Properties p = KafkaReaders.properties(bootstrapServers, "slipway-replay-count");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Records a read_committed consumer gets between offsets {@code from} (included) and {@code to} (excluded). */
    private static long count(KafkaConsumer<byte[], byte[]> reader, TopicPartition tp, long from, long to) {
        if (from >= to) {
            return 0;
        }
        reader.assign(List.of(tp));
        reader.seek(tp, from);
        long n = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (reader.position(tp) < to) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("counting " + tp + " from " + from + " to " + to + " took over 60 s");
            }
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(500)).records(tp)) {
                if (r.offset() < to) {
                    n++;
                }
            }
        }
        return n;
    }

    private <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw failed(what, e);
        }
    }

    private IllegalStateException failed(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(what + ": Kafka at " + bootstrapServers + " did not answer within " + TIMEOUT_S + " s", e);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
