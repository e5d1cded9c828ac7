package io.slipway.deploy.install;

import java.util.Map;

/** Builds POSIX shell text for hosts: quoting, exported variables, and output tails for error messages. */
final class RemoteShell {
    private static final int TAIL = 600;

    private RemoteShell() {
    }

    static String quote(String s) {
        return io.slipway.ssh.SshEngine.quote(s);
    }

    /** {@code export K='v'; ...} for every variable whose name the shell accepts (others cannot be hook variables). */
    static String exports(Map<String, String> variables) {
        StringBuilder b = new StringBuilder();
        variables.forEach((k, v) -> {
            if (k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                b.append("export ").append(k).append('=').append(quote(v)).append("; ");
            }
        });
        return b.toString();
    }

    static String tail(String output) {
        String t = output.strip();
        return t.length() <= TAIL ? t : "..." + t.substring(t.length() - TAIL);
    }
}
