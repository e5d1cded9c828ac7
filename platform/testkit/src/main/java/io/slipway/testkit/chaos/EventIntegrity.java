package io.slipway.testkit.chaos;

import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Checks what the platform wrote to its topics, as an operator replaying them depends on it: every record decodes with
 * the released schemas and is the type its {@code eventType} header says (commands on {@code *.requests} topics
 * too; the rest is of events); no event id appears twice across the topics; the events of one aggregate (one key, so one partition) stand in the order the outbox relay streamed them
 * ({@code outboxPosition}); a build's and a sync job's lifecycle starts with its request and ends with one terminal
 * event; the routing's versions ({@code RoutesChanged}) follow each other one by one, so no stored version lacks its event; and the state the read models show for an aggregate (given through {@link #expectLast}) is the one its
 * events set last. It reads committed records only, as every consumer does.
 */
public final class EventIntegrity {

    /**
     * Lifecycles whose order is known: the event types an aggregate's first event must be one of, and its terminal
     * ones (nothing of the lifecycle may follow them).
     */
    record Lifecycle(Set<String> types, Set<String> first, Set<String> terminal) {
    }

    static final List<Lifecycle> LIFECYCLES = List.of(
            new Lifecycle(Set.of("BuildRequested", "BuildStarted", "BuildRequeued", "BuildSucceeded", "BuildFailed"),
                    Set.of("BuildRequested"), Set.of("BuildSucceeded", "BuildFailed")),
            new Lifecycle(Set.of("SyncJobRequested", "SyncJobFinished"), Set.of("SyncJobRequested"), Set.of("SyncJobFinished")));

    /** What was checked: records and their counts by event type per topic, and every finding. */
    public record Report(Map<String, Map<String, Integer>> countsByTopicAndType, int records, List<String> findings) {
        /** One line per topic and event type with its count, then the findings; what a CI log shows. */
        public String text() {
            StringBuilder out = new StringBuilder("event integrity: " + records + " records, " + findings.size() + " finding(s)\n");
            countsByTopicAndType.forEach((topic, types) -> types.forEach((type, n) ->
                    out.append(String.format("  %-28s %-22s %6d%n", topic, type, n))));
            findings.forEach(f -> out.append("  FINDING ").append(f).append('\n'));
            return out.toString();
        }
    }

    private final EventCodec codec = EventCodec.released();
    private final Map<String, Map<String, Integer>> counts = new TreeMap<>();
    private final Map<String, String> firstSeenAt = new HashMap<>();
    private final Map<String, Position> lastPosition = new HashMap<>();
    /** Per aggregate, the last event of its lifecycle ({@link #LIFECYCLES}) seen so far. */
    private final Map<String, String> lastOfLifecycle = new HashMap<>();
    private final Map<String, List<String>> typesByAggregate = new HashMap<>();
    /** Per aggregate of numbered versions ({@code RoutesChanged}), the last version seen. */
    private final Map<String, Long> lastVersion = new HashMap<>();
    private final Map<String, Expectation> expectations = new HashMap<>();
    private final List<String> findings = new ArrayList<>();
    private int records;

    /**
     * What a read model says of aggregate {@code key} on {@code topic} now: of its events whose type is one of
     * {@code among} (the ones that set the state the read model shows), the last must be one of {@code expected}. A
     * build the API shows Succeeded must have BuildSucceeded last of its lifecycle; a state change made without its
     * event shows here.
     */
    public EventIntegrity expectLast(String topic, String key, Set<String> among, Set<String> expected) {
        expectations.put(topic + " " + key, new Expectation(among, expected));
        return this;
    }

    /** A build the build API shows in {@code state} (Requested, Started, Succeeded, Failed). */
    public EventIntegrity expectBuild(String id, String state) {
        Set<String> expected = state.equals("Requested") ? Set.of("BuildRequested", "BuildRequeued") : Set.of("Build" + state);
        return expectLast("slipway.build.events", id, LIFECYCLES.getFirst().types(), expected);
    }

    /**
     * A cluster the deploy API shows in {@code state}: a settled one (Ready, Degraded, Failed, Deleted) has the event
     * of that state last of its settled ones; one with an operation under way is not checked, its outcome is to come.
     */
    public EventIntegrity expectCluster(String name, String state) {
        Map<String, String> settled = Map.of("Ready", "ClusterReady", "Degraded", "ClusterDegraded", "Failed", "ClusterFailed", "Deleted", "Deleted");
        return settled.containsKey(state)
                ? expectLast("slipway.deploy.events", name, Set.copyOf(settled.values()), Set.of(settled.get(state)))
                : this;
    }

    private record Expectation(Set<String> among, Set<String> expected) {
    }

    /** The platform's topics of events, and of the commands its users send. */
    public static final List<String> TOPICS = List.of("slipway.build.events", "slipway.deploy.events", "slipway.infra.events",
            "slipway.workload.events", "slipway.event.events", "slipway.kube.events", "slipway.build.requests", "slipway.deploy.requests",
            "slipway.infra.requests");

    /** Reads every topic of {@code topics} that exists from its beginning to its current end and checks it. */
    public Report check(String bootstrapServers, List<String> topics) {
        for (String topic : topics) {
            TopicAudit.read(bootstrapServers, topic, this::accept);
        }
        expectations.forEach((aggregate, e) -> {
            List<String> types = typesByAggregate.getOrDefault(aggregate, List.of()).stream().filter(e.among::contains).toList();
            if (types.isEmpty()) {
                findings.add(aggregate + ": the read model has it, but none of its events " + e.among + " is on the topic");
            } else if (!e.expected.contains(types.getLast())) {
                findings.add(aggregate + ": the read model says " + e.expected + ", its last event is " + types.getLast());
            }
        });
        return new Report(counts, records, List.copyOf(findings));
    }

    void accept(ConsumerRecord<String, byte[]> r) {
        records++;
        String at = r.topic() + "/" + r.partition() + "@" + r.offset();
        String header = KafkaTopics.header(r, "eventType");
        String type;
        GenericRecord event;
        try {
            event = codec.decodeGeneric(r.value());
            type = event.getSchema().getName();
        } catch (RuntimeException e) {
            findings.add(at + " (" + header + ") does not decode with the released schemas: " + e.getMessage());
            return;
        }
        counts.computeIfAbsent(r.topic(), t -> new TreeMap<>()).merge(type, 1, Integer::sum);
        if (header != null && !header.equals(type)) {
            findings.add(at + ": header eventType " + header + " but the value is a " + type);
        }
        String id = KafkaTopics.header(r, "eventId");
        if (r.topic().endsWith(".requests")) {
            return; // a command: a producer that lost the answer sends it again with the same id, and it is applied once
        }
        if (id == null) {
            findings.add(at + " (" + type + ") has no eventId");
        } else {
            String earlier = firstSeenAt.putIfAbsent(id, at);
            if (earlier != null) {
                findings.add(at + " (" + type + "): event id " + id + " already at " + earlier);
            }
        }
        String aggregate = r.topic() + " " + r.key();
        Position position = Position.parse(KafkaTopics.header(r, "outboxPosition"));
        if (position != null) {
            Position before = lastPosition.put(aggregate, position);
            if (before != null && before.stream.equals(position.stream) && before.compareTo(position) >= 0) {
                findings.add(at + " (" + type + ") of " + aggregate + " stands at " + position + ", not after the one before it (" + before + ")");
            }
        }
        checkLifecycle(at, aggregate, type);
        checkVersion(at, aggregate, type, event);
        if (expectations.containsKey(aggregate)) {
            typesByAggregate.computeIfAbsent(aggregate, a -> new ArrayList<>()).add(type);
        }
    }

    private void checkLifecycle(String at, String aggregate, String type) {
        for (Lifecycle l : LIFECYCLES) {
            if (!l.types.contains(type)) {
                continue;
            }
            String before = lastOfLifecycle.put(aggregate, type);
            if (before == null && !l.first.contains(type)) {
                findings.add(at + ": " + aggregate + " starts with " + type + ", not with " + l.first);
            } else if (before != null && l.terminal.contains(before)) {
                findings.add(at + ": " + type + " of " + aggregate + " after its terminal " + before);
            }
        }
    }

    /**
     * A {@code RoutesChanged} names the version it stored; each is one more than the one before it on its aggregate
     * (the first read may be any: a topic's retention may have dropped older ones). A gap is a stored version whose
     * event is missing, a repeat or a step back a version published twice.
     */
    private void checkVersion(String at, String aggregate, String type, GenericRecord event) {
        if (!type.equals("RoutesChanged")) {
            return;
        }
        long version = (Long) event.get("version");
        Long before = lastVersion.put(aggregate, version);
        if (before != null && version != before + 1) {
            findings.add(at + ": " + aggregate + " RoutesChanged of version " + version + " follows version " + before);
        }
    }

    /** An {@code outboxPosition} header: {@code <stream> <lsn_commit>:<lsn>}, LSNs in PostgreSQL's {@code X/Y} hex. */
    record Position(String stream, long commit, long lsn) implements Comparable<Position> {
        private static final Comparator<Position> STREAM_ORDER =
                Comparator.comparing(Position::commit, Long::compareUnsigned).thenComparing(Position::lsn, Long::compareUnsigned);

        static Position parse(String header) {
            if (header == null) {
                return null;
            }
            int space = header.lastIndexOf(' ');
            int colon = header.lastIndexOf(':');
            if (space <= 0 || colon < space) {
                return null;
            }
            try {
                return new Position(header.substring(0, space), lsn(header.substring(space + 1, colon)), lsn(header.substring(colon + 1)));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static long lsn(String text) {
            int slash = text.indexOf('/');
            return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
        }

        @Override
        public int compareTo(Position o) {
            return STREAM_ORDER.compare(this, o);
        }

        @Override
        public String toString() {
            return stream + " " + text(commit) + ":" + text(lsn);
        }

        private static String text(long lsn) {
            return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
        }
    }
}
