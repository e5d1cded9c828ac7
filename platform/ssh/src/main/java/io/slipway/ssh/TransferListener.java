package io.slipway.ssh;

/** Progress of an upload (called from the sending thread). */
public interface TransferListener {
    TransferListener NONE = (host, path, done, total) -> { };

    void progress(String host, String remotePath, long done, long total);
}
