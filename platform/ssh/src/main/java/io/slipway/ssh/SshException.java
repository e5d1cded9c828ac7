package io.slipway.ssh;

/** A failure talking to a host; the message names the host (and step) and never holds a secret. */
public class SshException extends Exception {
    public enum Kind {
        /** Refused, reset, timed out connecting, or the session died: transient, worth a retry. */
        UNREACHABLE,
        AUTH_FAILED,
        HOST_KEY_CHANGED,
        /** The host has no pinned key and trust on first use was not allowed for it: nothing was sent to it. */
        HOST_KEY_UNKNOWN,
        TIMEOUT,
        COMMAND_FAILED,
        TRANSFER_CORRUPT,
        IO
    }

    private final Kind kind;
    private final String host;

    public SshException(Kind kind, String host, String message) {
        super(host + ": " + message);
        this.kind = kind;
        this.host = host;
    }

    public SshException(Kind kind, String host, String message, Throwable cause) {
        super(host + ": " + message, cause);
        this.kind = kind;
        this.host = host;
    }

    public Kind kind() {
        return kind;
    }

    public String host() {
        return host;
    }

    /** Faults a later attempt may not meet: the network, not the credentials, the key or the command. */
    public boolean transientFault() {
        return kind == Kind.UNREACHABLE || kind == Kind.IO;
    }
}
