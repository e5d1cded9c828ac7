package io.slipway.event.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How event-svc ingests Kubernetes events ({@code slipway.ingest.*}): which clusters and namespaces it watches, how
 * much it may hold in memory, and how often it records how far it got. Kafka and PostgreSQL come from
 * {@code slipway.kafka.*} and {@code slipway.db.*} (the backbone's configuration).
 */
@ConfigMapping(prefix = "slipway.ingest")
public interface IngestConfig {

    /** Whether this instance watches clusters; the routing and sinks of event-svc run either way. */
    @WithDefault("true")
    boolean enabled();

    /** The Kafka topic normalized events are published to (key = involved object uid). */
    @WithDefault("slipway.kube.events")
    String topic();

    /** Target clusters by name; the name is the {@code cluster} of every event and the key of its checkpoints. */
    Map<String, Cluster> clusters();

    /**
     * On a stream's first start (no checkpoint yet), events whose last occurrence is older than this are recorded as
     * handled but not published; raise it (e.g. {@code 24h}) to export what the API server still holds.
     */
    @WithDefault("1m")
    Duration maxEventAge();

    /**
     * How long the ids of handled occurrences are kept to recognise them again after a relist; should exceed the API
     * server's event TTL (1 h by default). A relisted event older than this is skipped: whether it was published
     * cannot be known any more.
     */
    @WithDefault("3h")
    Duration seenRetention();

    Pipeline pipeline();

    Watch watch();

    Enrich enrich();

    /** Extra Kafka producer properties, e.g. {@code slipway.ingest.producer."linger.ms"=20}; applied last. */
    Map<String, String> producer();

    /**
     * One target cluster. Without {@code kubeconfig} and {@code context} it is the cluster of the Quarkus Kubernetes
     * Client ({@code quarkus.kubernetes-client.*}: api-server-url, token, CA and client certificates, trust-certs; or
     * the pod's service account). With either, its server and credentials come from that kubeconfig context and the
     * rest (timeouts, retries, TLS, proxies) from {@code quarkus.kubernetes-client.*}.
     */
    interface Cluster {
        /** The kubeconfig context to use; the kubeconfig's current context when only {@code kubeconfig} is set. */
        Optional<String> context();

        /** The kubeconfig file; {@code $KUBECONFIG} (its first file) or {@code ~/.kube/config} when only {@code context} is set. */
        Optional<String> kubeconfig();

        /**
         * Says that this is the cluster event-svc runs in: its client is the Quarkus Kubernetes Client's, which uses the
         * pod's service account unless {@code quarkus.kubernetes-client.*} says otherwise. Cannot be combined with
         * {@code kubeconfig} or {@code context}.
         */
        @WithDefault("false")
        boolean inCluster();

        /** Namespaces to watch, one watch each; all namespaces (one watch) when absent. */
        Optional<List<String>> namespaces();

        /**
         * Event APIs to watch: {@code v1} (core) and/or {@code events.k8s.io/v1}. Both show the same Event objects;
         * with both, each occurrence still goes out once (deduplicated by event uid and count).
         */
        @WithDefault("v1")
        List<String> apis();
    }

    /** Bounds between the watches and Kafka. */
    interface Pipeline {
        /** Events received but not yet being published, per cluster; when full, the watches stop reading. */
        @WithDefault("1000")
        int queueCapacity();

        /** Events sent to Kafka and not yet acknowledged, per cluster; when reached, publishing waits. */
        @WithDefault("5000")
        int maxInFlight();

        /** How often the last resourceVersion acknowledged by Kafka (and the handled occurrences) are stored. */
        @WithDefault("500ms")
        Duration checkpointInterval();

        /** Occurrence ids remembered in memory; older ones are looked up in the database when they could recur. */
        @WithDefault("100000")
        int recentOccurrences();

        /**
         * How far the clocks of event reporters may be ahead of this service's. Occurrences timestamped before a run's
         * start plus this may have been handled by an earlier run, so they are looked up in the database; later ones
         * are new. Shorter means fewer lookups soon after a start, on clusters whose nodes keep time.
         */
        @WithDefault("2m")
        Duration clockSkew();

        /** Delay before a cluster's pipeline restarts after a failure (Kafka or the database out of reach); doubled up to a minute. */
        @WithDefault("1s")
        Duration restartBackoff();
    }

    /** List and watch requests. */
    interface Watch {
        /** Items per list page ({@code limit}). */
        @WithDefault("500")
        int listPageSize();

        /** A watch request lasts between this and twice this ({@code timeoutSeconds}), then is renewed. */
        @WithDefault("5m")
        Duration timeout();

        /** Backoff before re-watching after an error; doubled up to {@code max-backoff}, with jitter. */
        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("30s")
        Duration maxBackoff();
    }

    /** Labels and annotations of involved objects. */
    interface Enrich {
        /** Involved objects whose metadata is cached. */
        @WithDefault("10000")
        int cacheSize();

        /** How long cached metadata is used before it is read again. */
        @WithDefault("5m")
        Duration cacheTtl();

        /** Annotations left out of events (large and of no use to a receiver). */
        @WithDefault("kubectl.kubernetes.io/last-applied-configuration")
        List<String> dropAnnotations();
    }
}
