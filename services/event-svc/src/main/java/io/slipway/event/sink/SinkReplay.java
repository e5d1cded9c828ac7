package io.slipway.event.sink;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Moves one sink's consumer group back (or forward) on the events topic, as {@code kafka-consumer-groups
 * --reset-offsets} does: only that group's committed offsets change, so only that sink delivers again. Kafka accepts
 * it only while the group has no member, so the caller stops the sink's loop first; a member elsewhere (another
 * instance of the service) makes it a {@link Conflict}.
 */
final class SinkReplay {
    private static final long TIMEOUT_S = 30;

    /** The group still has members, so Kafka would refuse to move its offsets. */
    public static final class Conflict extends RuntimeException {
        Conflict(String message) {
            super(message);
        }
    }

    private SinkReplay() {
    }

    /** Sets the group's offsets and returns them by partition. */
    static Map<Integer, Long> reset(String bootstrapServers, String group, String topic, ReplayFrom from) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_S * 1000)))) {
            awaitEmpty(admin, group);
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> earliest = offsets(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> latest = offsets(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> target = new HashMap<>();
            switch (from) {
                case ReplayFrom.Time t -> {
                    Map<TopicPartition, Long> at = offsets(admin, partitions, OffsetSpec.forTimestamp(t.at().toEpochMilli()));
                    partitions.forEach(tp -> target.put(tp, at.get(tp) < 0 ? latest.get(tp) : at.get(tp)));
                }
                case ReplayFrom.Offset o -> {
                    if (o.partition() != null && partitions.stream().noneMatch(tp -> tp.partition() == o.partition())) {
                        throw new IllegalArgumentException(topic + " has no partition " + o.partition() + " (it has " + partitions.size() + ")");
                    }
                    partitions.stream().filter(tp -> o.partition() == null || tp.partition() == o.partition())
                            .forEach(tp -> target.put(tp, Math.max(earliest.get(tp), Math.min(latest.get(tp), o.offset()))));
                }
                case ReplayFrom.Earliest e -> target.putAll(earliest);
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            target.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
            admin.alterConsumerGroupOffsets(group, offsets).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            Map<Integer, Long> out = new TreeMap<>();
            target.forEach((tp, offset) -> out.put(tp.partition(), offset));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while moving the offsets of " + group);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot move the offsets of " + group + " on " + topic + ": " + cause.getMessage(), cause);
        }
    }

    /** The group's members leave when its loop stops; a member that stays is another instance's. */
    private static void awaitEmpty(Admin admin, String group) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            ConsumerGroupDescription d;
            try {
                d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(TIMEOUT_S, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    return;
                }
                throw e;
            }
            if (d.members().isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new Conflict("consumer group " + group + " still has " + d.members().size() + " member(s) (" + d.members().iterator().next().host()
                        + "): another instance of the service runs this sink; replay where it runs alone");
            }
            Thread.sleep(200);
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }
}
