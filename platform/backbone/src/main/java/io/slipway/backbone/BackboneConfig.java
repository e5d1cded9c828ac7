package io.slipway.backbone;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** How a service connects to the event backbone; the local stack and the test kit set every value without a default. */
@ConfigMapping(prefix = "slipway")
public interface BackboneConfig {

    /** The service's domain: the outbox's aggregate type and the {@code slipway.<domain>.events} topic it publishes to. */
    String domain();

    /** Where the service keeps its own files (build-svc: image store, contexts, logs); a temp dir when unset. */
    Optional<java.nio.file.Path> dataDir();

    Kafka kafka();

    Db db();

    Relay relay();

    Consumer consumer();

    Http http();

    Outbound outbound();

    /**
     * Where a service may send requests to addresses a user named (sinks, ADD and APP URLs, registry token realms):
     * public addresses, plus what {@code allow} admits (see {@code io.slipway.outbound.OutboundPolicy}).
     */
    interface Outbound {
        /** {@code loopback}, {@code link-local}, {@code private}, {@code any} or CIDR ranges, comma-separated; none by default. */
        Optional<String> allow();
    }

    /** Limits on what REST clients send, beyond Quarkus' {@code quarkus.http.limits}. */
    interface Http {
        /**
         * The largest JSON or YAML request body (a build request, a Clusterfile, a routes file): 4 MiB. It is checked
         * from the Content-Length before a byte is read, so a service whose uploads may be large (build-svc takes 4 GiB
         * archives) still never parses a huge document. Archives and other binary bodies keep the service's own limit.
         */
        @WithDefault("4194304")
        long maxDocumentBytes();
    }

    interface Kafka {
        /** Kafka bootstrap servers, host:port[,host:port]. */
        String bootstrapServers();

        /** Partitions of topics the backbone creates when they are missing. */
        @WithDefault("3")
        int partitions();
    }

    /** The service's own PostgreSQL database (the relay reads its write-ahead log). */
    interface Db {
        String host();

        int port();

        String name();

        @WithDefault("postgres")
        String user();

        @WithDefault("postgres")
        String password();
    }

    interface Relay {
        /** Whether this instance relays its outbox to Kafka (only one instance at a time does, by a database lock). */
        @WithDefault("true")
        boolean enabled();

        /** Logical replication slot and publication name; defaults to {@code slipway_<domain>_outbox}. */
        Optional<String> slot();

        /** How long a standby instance waits before trying to take over the relay again. */
        @WithDefault("2s")
        Duration standbyRetry();

        /** Delay before restarting the relay after it failed; doubled on each failure up to a minute. */
        @WithDefault("1s")
        Duration restartBackoff();

        /**
         * How often the relay stores its source offset. Longer means fewer database writes; after a crash, the slot
         * streams again up to this much that is published already, which the relay reads and skips.
         */
        @WithDefault("1s")
        Duration offsetFlushInterval();

        /** Extra Debezium connector properties, e.g. {@code slipway.relay.connector."max.batch.size"=4096}; applied last. */
        Map<String, String> connector();

        /**
         * Extra Kafka producer properties, e.g. {@code slipway.relay.producer."max.block.ms"=5000}. What exactly-once
         * rests on (the transactional id, idempotence, {@code acks=all}) is not overridden.
         */
        Map<String, String> producer();
    }

    interface Consumer {
        /** Attempts at applying one event before it goes to the dead-letter topic. */
        @WithDefault("5")
        int maxAttempts();

        /** Backoff before the first retry; doubled each retry, with jitter. */
        @WithDefault("200ms")
        Duration initialBackoff();

        /** Upper bound of one backoff. */
        @WithDefault("5s")
        Duration maxBackoff();

        /**
         * How often the ids of applied events ({@code processed_event}) that their topics can no longer redeliver are
         * deleted; see {@link io.slipway.backbone.consume.DedupRetention}. Zero turns pruning off.
         */
        @WithDefault("15m")
        Duration dedupPruneInterval();

        /** Rows deleted per statement while pruning: small, so no writer waits long behind a prune. */
        @WithDefault("2000")
        int dedupPruneBatch();
    }

    /**
     * Replication slots are cluster-wide while outboxes are per database, so a service on a database not named after
     * its domain (a test's own database, say) gets the database in its slot's name; the usual case keeps the short name.
     */
    default String slotName() {
        String db = db().name().equals(domain()) ? "" : "_" + db().name();
        return relay().slot().orElse(("slipway_" + domain() + db + "_outbox").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_"));
    }

    default String jdbcUrl() {
        return "jdbc:postgresql://" + db().host() + ":" + db().port() + "/" + db().name();
    }
}
