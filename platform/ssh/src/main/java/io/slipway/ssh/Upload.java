package io.slipway.ssh;

/** What an upload did: bytes sent this time, bytes a resumed transfer found already there, and whether it resumed. */
public record Upload(long bytesSent, long bytesSkipped, boolean resumed) {
}
