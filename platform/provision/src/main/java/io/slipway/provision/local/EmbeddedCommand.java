package io.slipway.provision.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * What an embedded host's SSH server runs for an exec request, as OpenSSH's sshd would: the user's login shell
 * ({@code /bin/sh -c}) with a login environment, its stdin, stdout, stderr and exit status carried over the channel,
 * here inside the host's user and mount namespaces. The channel reports the exit once the shell has exited and its
 * output has been read to the end; a channel closed early kills the shell and everything it started.
 */
final class EmbeddedCommand implements Command {
    private final EmbeddedSshHost host;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;

    EmbeddedCommand(EmbeddedSshHost host, String command) {
        this.host = host;
        this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        String user = channel.getSession().getUsername();
        ProcessBuilder pb = new ProcessBuilder(host.shell(command));
        Map<String, String> environment = pb.environment();
        environment.clear();
        environment.putAll(host.environment(user, channel.getSession().getClientAddress()));
        Process p = pb.start();
        process = p;
        Thread.ofVirtual().name("host-cmd-stdin").start(() -> feed(p));
        Thread stdout = Thread.ofVirtual().name("host-cmd-stdout").start(() -> copy(p.getInputStream(), out));
        Thread stderr = Thread.ofVirtual().name("host-cmd-stderr").start(() -> copy(p.getErrorStream(), err));
        Thread.ofVirtual().name("host-cmd-exit").start(() -> {
            try {
                int status = p.waitFor();
                stdout.join();
                stderr.join();
                exit.onExit(status);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process p = process;
        if (p != null && p.isAlive()) {
            List<ProcessHandle> tree = p.descendants().toList();
            p.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private void feed(Process p) {
        try (OutputStream stdin = p.getOutputStream()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                stdin.write(buffer, 0, n);
                stdin.flush();
            }
        } catch (IOException ignored) {
            // the shell exited without reading all of it, or the channel closed: the exit status tells the rest
        }
    }

    private static void copy(InputStream from, OutputStream to) {
        byte[] buffer = new byte[64 * 1024];
        try (from) {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException ignored) {
            // the channel closed under the command
        }
    }
}
