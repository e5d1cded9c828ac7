package io.slipway.ssh;

/** A per-host result of {@link SshEngine#onEach}: a value or the failure. */
public record Outcome<R>(R value, SshException failure) {

    public boolean ok() {
        return failure == null;
    }
}
