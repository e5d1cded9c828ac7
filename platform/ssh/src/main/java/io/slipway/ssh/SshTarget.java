package io.slipway.ssh;

/** A host and how to log in to it. {@code toString} names the host and user, never the secret. */
public record SshTarget(String host, int port, String user, SshAuth auth, SudoMode sudo) {

    public SshTarget {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is required");
        }
        if (user == null || user.isBlank()) {
            user = "root";
        }
        if (port <= 0) {
            port = 22;
        }
        if (sudo == null) {
            sudo = user.equals("root") ? SudoMode.NONE : SudoMode.NOPASSWD;
        }
    }

    /** Port 22; root needs no sudo, others use sudo (with their password when they log in with one). */
    public static SshTarget of(String host, String user, SshAuth auth) {
        return of(host, 22, user, auth);
    }

    /** As {@link #of(String, String, SshAuth)}, on another port. */
    public static SshTarget of(String host, int port, String user, SshAuth auth) {
        SudoMode sudo = "root".equals(user) ? SudoMode.NONE : auth instanceof SshAuth.Password ? SudoMode.PASSWORD : SudoMode.NOPASSWD;
        return new SshTarget(host, port, user, auth, sudo);
    }

    /** user@host:port */
    public String id() {
        return user + "@" + host + ":" + port;
    }

    @Override
    public String toString() {
        return id() + " (" + auth + ", sudo " + sudo.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
