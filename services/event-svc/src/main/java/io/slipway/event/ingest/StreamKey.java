package io.slipway.event.ingest;

/** One list+watch: a cluster, an event API and a namespace ({@code null}: all namespaces). Checkpoints are kept per stream. */
record StreamKey(String cluster, EventApi api, String namespace) {

    /** The namespace as stored with the checkpoint: "" for all namespaces. */
    String namespaceColumn() {
        return namespace == null ? "" : namespace;
    }

    @Override
    public String toString() {
        return cluster + "/" + api.apiVersion() + (namespace == null ? "" : "/" + namespace);
    }
}
