package io.slipway.event.ingest;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.Topics;
import io.slipway.event.ingest.Observed.Origin;
import io.vertx.core.Vertx;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One run of a cluster's ingest, from its stored state until it is stopped or fails. It first reads back what the
 * previous run published without recording it (see {@link PublishedTail}), then starts a stream per event API and
 * namespace. A preparing thread takes what the streams read, skips what was handled before (memory, then the
 * database for what could have been handled by an earlier run) and reads missing enrichment; a publisher thread
 * enriches and publishes the rest, one batch behind; every checkpoint
 * interval the handled ids and the resume points that Kafka's acknowledgements allow are stored together. A failure
 * of Kafka or of the database ends the run; {@link ClusterIngest} starts the next from what was stored. Only the
 * instance holding the cluster's lock (see {@link IngestStore#tryLock}) runs; others stand by.
 */
final class IngestRun {
    private static final Logger LOG = Logger.getLogger(IngestRun.class);
    private static final int BATCH = 500;
    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

    /** An occurrence handled: published at partition/offset, or deliberately skipped (partition -1). */
    private record Handled(UUID id, int partition, long offset) {
    }

    private record Candidate(Observed observed, Occurrence occurrence, UUID id) {
    }

    private final String cluster;
    private final KubernetesClient client;
    private final Vertx vertx;
    private final List<StreamKey> keys;
    private final IngestConfig config;
    private final BackboneConfig backbone;
    private final IngestMeters.Cluster meters;
    private final Map<StreamKey, IngestMeters.Stream> streamMeters;

    private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<Handled> handled = new ConcurrentLinkedQueue<>();
    private final Map<StreamKey, StreamProgress> progress = new LinkedHashMap<>();
    private final Map<StreamKey, String> stored = new HashMap<>();
    private final Map<Integer, Long> positions = new HashMap<>();
    private final List<EventStream> streams = new ArrayList<>();
    private final IngestQueue queue;
    private final KubeEventWriter records;

    private final IngestConnections connections;
    private IngestStore lookups;
    private IngestStore store;
    private EventPublisher publisher;
    private RecentOccurrences recent;
    private InvolvedObjects involved;
    private Thread preparing;
    private Thread publishing;
    /** The hand-off from the preparing thread to the publishing one: one batch at a time. */
    private final SynchronousQueue<Prepared> prepared = new SynchronousQueue<>();
    private ScheduledExecutorService recording;
    private volatile boolean running;
    private Instant startedAt;
    private long lastPurgeNanos = System.nanoTime();

    IngestRun(String cluster, KubernetesClient client, Vertx vertx, List<StreamKey> keys, IngestConfig config,
              BackboneConfig backbone, IngestConnections connections, IngestMeters.Cluster meters,
              Map<StreamKey, IngestMeters.Stream> streamMeters) {
        this.cluster = cluster;
        this.connections = connections;
        this.client = client;
        this.vertx = vertx;
        this.keys = keys;
        this.config = config;
        this.backbone = backbone;
        this.meters = meters;
        this.streamMeters = streamMeters;
        this.queue = new IngestQueue(config.pipeline().queueCapacity());
        this.records = new KubeEventWriter(cluster);
    }

    /** Completes when the run ends: with the failure that ended it, or null when it was stopped. */
    CompletableFuture<Throwable> ended() {
        return ended;
    }

    void start() throws SQLException {
        startedAt = Instant.now();
        String topic = config.topic();
        String bootstrap = backbone.kafka().bootstrapServers();
        store = new IngestStore(connections);
        if (!store.tryLock(cluster)) {
            throw new IngestStandby(cluster);
        }
        Topics.ensure(bootstrap, backbone.kafka().partitions(), List.of(topic));
        lookups = new IngestStore(connections);
        Map<String, String> resumePoints = store.checkpoints(cluster);

        recent = new RecentOccurrences(config.pipeline().recentOccurrences());
        PublishedTail.Tail tail = PublishedTail.read(bootstrap, topic, cluster, store.positions(cluster, topic));
        tail.published().forEach(recent::add);
        positions.putAll(tail.endOffsets());
        // what the tail holds is recorded before anything new is published, and so are the positions it reaches:
        // from now on they bound what a crash can leave unrecorded
        store.record(cluster, tail.published(), Map.of(), topic, positions);
        if (!tail.published().isEmpty()) {
            LOG.infof("cluster %s: %d occurrences published by the previous run after its last checkpoint are recognised",
                    cluster, tail.published().size());
        }

        publisher = new EventPublisher(bootstrap, "slipway-ingest-" + cluster, topic, config.pipeline().maxInFlight(),
                config.producer(), this::fail);
        involved = new InvolvedObjects(client, config.enrich(), meters);
        running = true;
        for (StreamKey key : keys) {
            String rv = resumePoints.get(IngestStore.checkpointKey(key));
            StreamProgress p = new StreamProgress(rv);
            progress.put(key, p);
            if (rv != null) {
                stored.put(key, rv);
            }
            streams.add(new EventStream(key, client, vertx, queue, p, rv, config.watch(), streamMeters.get(key)));
            LOG.infof("stream %s: %s", key, rv == null ? "first start, listing" : "resuming from resourceVersion " + rv);
        }
        preparing = new Thread(this::prepareLoop, "ingest-prepare-" + cluster);
        preparing.setDaemon(true);
        preparing.start();
        publishing = new Thread(this::publishLoop, "ingest-publish-" + cluster);
        publishing.setDaemon(true);
        publishing.start();
        recording = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-checkpoint-" + cluster);
            t.setDaemon(true);
            return t;
        });
        long interval = config.pipeline().checkpointInterval().toMillis();
        recording.scheduleWithFixedDelay(this::recordOrFail, interval, interval, TimeUnit.MILLISECONDS);
        streams.forEach(EventStream::start);
    }

    /**
     * Takes a batch from the queue and prepares it (skips what was handled, asks the database, reads missing
     * enrichment), then hands it to the publisher thread, waiting until that has taken the previous one: while one
     * batch is being sent the next is being prepared, and the database's answer is not waited for between sends.
     * A batch is at most half the queue's capacity, so what this cluster holds in memory stays bounded by twice the
     * queue capacity (waiting; being prepared and being sent) plus the records in flight.
     */
    private void prepareLoop() {
        int size = Math.max(1, Math.min(BATCH, config.pipeline().queueCapacity() / 2));
        List<Observed> batch = new ArrayList<>(size);
        try {
            while (running) {
                batch.clear();
                if (queue.drainTo(batch, size, 100) > 0) {
                    Prepared next = prepare(batch);
                    while (running && !prepared.offer(next, 100, TimeUnit.MILLISECONDS)) {
                        // the publisher is still sending the previous batch
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            fail(e);
        }
    }

    private void publishLoop() {
        try {
            while (running) {
                Prepared batch = prepared.poll(100, TimeUnit.MILLISECONDS);
                if (batch != null) {
                    publish(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            fail(e);
        }
    }

    /** A batch ready to send: the occurrences not handled before, and which of them the database knows. */
    private record Prepared(List<Candidate> candidates, Set<UUID> known) {
    }

    private Prepared prepare(List<Observed> batch) throws InterruptedException, SQLException {
        Instant firstStartHorizon = startedAt.minus(config.maxEventAge());
        Instant retentionHorizon = Instant.now().minus(config.seenRetention());
        // timestamped before this run started (give or take the reporters' clock skew): an earlier run may have handled it
        Instant live = startedAt.plus(config.pipeline().clockSkew());
        List<Candidate> candidates = new ArrayList<>(batch.size());
        Set<UUID> toLookUp = new HashSet<>();
        for (Observed o : batch) {
            StreamProgress p = progress.get(o.stream());
            Occurrence occurrence = o.occurrence();
            if (occurrence == null) {
                p.handled(o.seq());
                continue;
            }
            UUID id = o.id();
            if (o.origin() == Origin.FIRST_LIST && occurrence.lastSeen().isBefore(firstStartHorizon)) {
                // recorded as handled, so that a later relist does not take it for something missed
                meters.skippedOld().increment();
                if (recent.add(id)) {
                    handled.add(new Handled(id, -1, -1));
                }
                p.handled(o.seq());
            } else if (o.origin() == Origin.RELIST && occurrence.lastSeen().isBefore(retentionHorizon)) {
                meters.skippedOld().increment();
                p.handled(o.seq());
            } else if (!recent.add(id)) {
                meters.duplicates().increment();
                p.handled(o.seq());
            } else {
                candidates.add(new Candidate(o, occurrence, id));
                if (o.listed() || occurrence.lastSeen().isBefore(live)) {
                    toLookUp.add(id);
                }
            }
        }
        Set<UUID> known = lookups.known(toLookUp);
        involved.prefetch(candidates.stream().filter(c -> !known.contains(c.id())).map(c -> c.occurrence().involved()).toList());
        return new Prepared(candidates, known);
    }

    private void publish(Prepared batch) throws InterruptedException {
        Set<UUID> known = batch.known();
        for (Candidate c : batch.candidates()) {
            StreamProgress p = progress.get(c.observed().stream());
            if (known.contains(c.id())) {
                meters.duplicates().increment();
                p.handled(c.observed().seq());
                continue;
            }
            InvolvedObjects.Metadata metadata = involved.of(c.occurrence().involved());
            byte[] value = records.write(c.occurrence(), metadata);
            long received = c.observed().receivedNanos();
            Instant occurred = c.occurrence().lastSeen();
            long seq = c.observed().seq();
            UUID id = c.id();
            publisher.send(c.occurrence().key(metadata), value, id, (partition, offset) -> {
                // the id first, then the progress: a checkpoint that counts this item also stores its id
                handled.add(new Handled(id, partition, offset));
                p.handled(seq);
                meters.published().increment();
                meters.publishLatency().record(System.nanoTime() - received, TimeUnit.NANOSECONDS);
                meters.lag().record(Math.max(0, System.currentTimeMillis() - occurred.toEpochMilli()), TimeUnit.MILLISECONDS);
            });
        }
    }

    private void recordOrFail() {
        try {
            record();
        } catch (Exception e) {
            fail(e);
        }
    }

    /** Stores, in one transaction, the ids handled so far and the resume points they allow. */
    private synchronized void record() throws SQLException {
        Map<StreamKey, String> moved = new HashMap<>();
        // resume points first, then the ids: every item a resume point counts as handled has its id queued already
        progress.forEach((key, p) -> {
            String rv = p.checkpoint();
            if (rv != null && !rv.equals(stored.get(key))) {
                moved.put(key, rv);
            }
        });
        List<UUID> ids = new ArrayList<>();
        Map<Integer, Long> advanced = new HashMap<>();
        for (Handled h; (h = handled.poll()) != null; ) {
            ids.add(h.id());
            if (h.partition() >= 0 && h.offset() + 1 > positions.getOrDefault(h.partition(), 0L)) {
                positions.put(h.partition(), h.offset() + 1);
                advanced.put(h.partition(), h.offset() + 1);
            }
        }
        if (!moved.isEmpty() || !ids.isEmpty()) {
            store.record(cluster, ids, moved, config.topic(), advanced);
            stored.putAll(moved);
            meters.checkpoints().increment();
        }
        if (System.nanoTime() - lastPurgeNanos > PURGE_EVERY.toNanos()) {
            lastPurgeNanos = System.nanoTime();
            int purged = store.purge(cluster, config.seenRetention());
            LOG.debugf("cluster %s: %d handled ids past the retention forgotten", cluster, purged);
        }
    }

    private void fail(Throwable error) {
        if (running && ended.complete(error)) {
            LOG.warnf("cluster %s: ingest run failed, it will restart from its last checkpoint: %s", cluster, error.getMessage());
        }
    }

    /**
     * Stops reading, waits until Kafka acknowledged everything sent, stores the final checkpoint and closes. What
     * was read but not yet sent is dropped: the checkpoint does not pass it, so the next run reads it again.
     */
    void stop() {
        boolean healthy = !ended.isDone();
        running = false;
        streams.forEach(EventStream::stop);
        join(preparing);
        join(publishing);
        if (publisher != null) {
            publisher.flush();
        }
        if (recording != null) {
            recording.shutdown();
            await(recording);
        }
        if (healthy && store != null) {
            try {
                record();
            } catch (SQLException e) {
                LOG.warnf("cluster %s: final checkpoint not stored (the next run reads Kafka's tail instead): %s", cluster, e.getMessage());
            }
        }
        close();
        ended.complete(null);
    }

    /** Ends at once, storing nothing more and abandoning unsent records: what a crash does. */
    void halt() {
        running = false;
        if (recording != null) {
            recording.shutdownNow();
        }
        if (publisher != null) {
            publisher.abandon();
        }
        streams.forEach(EventStream::stop);
        for (Thread t : new Thread[] {preparing, publishing}) {
            if (t != null) {
                t.interrupt();
            }
        }
        join(preparing);
        join(publishing);
        await(recording);
        close();
        ended.complete(null);
    }

    private void close() {
        if (publisher != null) {
            publisher.close();
        }
        if (involved != null) {
            involved.close();
        }
        if (store != null) {
            store.close();
        }
        if (lookups != null) {
            lookups.close();
        }
        queue.clear();
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(10_000);
            if (t.isAlive()) {
                t.interrupt();
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(ScheduledExecutorService executor) {
        if (executor == null) {
            return;
        }
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int queueDepth() {
        return queue.depth();
    }

    int queuePeak() {
        return queue.peak();
    }

    int inFlight() {
        return publisher == null ? 0 : publisher.inFlight();
    }

    int inFlightPeak() {
        return publisher == null ? 0 : publisher.peakInFlight();
    }

    int parked() {
        return queue.parkedCount();
    }
}
