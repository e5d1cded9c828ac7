package io.slipway.event.ingest;

/** Another instance ingests this cluster (it holds the cluster's lock); this one waits to take over. */
final class IngestStandby extends RuntimeException {
    IngestStandby(String cluster) {
        super("another instance ingests cluster " + cluster + "; standing by");
    }
}
