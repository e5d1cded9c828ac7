package io.slipway.testkit.hosts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The "cable" of an embedded test host: a TCP relay from the host's SSH address to its server, where link faults are
 * made, since without root there is no network namespace whose interface could be taken down.
 * <ul>
 *   <li>cut: bytes stop moving both ways (held, as a cut cable holds TCP's segments until retransmits get through),
 *       and new connects time out: the address keeps a listener whose accept queue is held full, so the kernel drops
 *       their SYNs;</li>
 *   <li>down (the server was killed): nothing listens, connects are refused;</li>
 *   <li>slow: a delay added to each chunk the host sends and a byte rate capping it.</li>
 * </ul>
 */
final class HostLink implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    private final InetSocketAddress address;
    private volatile InetSocketAddress backend;
    /** The client each relayed connection stands for, by the relay's local port towards the server. */
    private final Map<Integer, SocketAddress> clients = new ConcurrentHashMap<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean cut;
    private volatile long delayNanos;
    private volatile long bytesPerSecond;
    private ServerSocket listener;
    private ServerSocket blackHole;
    private final List<Socket> fillers = new ArrayList<>();

    HostLink(InetSocketAddress address, InetSocketAddress backend) {
        this.address = address;
        this.backend = backend;
    }

    /** Points the link at a server started again (on another port). */
    void retarget(InetSocketAddress server) {
        this.backend = server;
    }

    /** Starts relaying (again, after {@link #down()}). */
    synchronized void up() {
        if (listener != null) {
            return;
        }
        listener = bind(50);
        ServerSocket serving = listener;
        Thread.ofVirtual().name("host-link-" + address).start(() -> accept(serving));
    }

    /** Stops listening and drops every connection, as a killed server's kernel would. */
    synchronized void down() {
        closeQuietly(listener);
        listener = null;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    synchronized void cut() {
        synchronized (gate) {
            cut = true;
        }
        closeQuietly(listener);
        listener = null;
        // a listener with a backlog of 1 and its queue filled by connections nobody accepts: Linux drops further SYNs
        blackHole = bind(1);
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(address, 200);
                fillers.add(filler);
            } catch (SocketTimeoutException full) {
                closeQuietly(filler);
                return;
            } catch (IOException e) {
                closeQuietly(filler);
                throw new UncheckedIOException("cannot hold " + address + "'s accept queue: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException(address + "'s accept queue did not fill: connects would not time out");
    }

    synchronized void restore() {
        release();
        up();
    }

    private void release() {
        fillers.forEach(HostLink::closeQuietly);
        fillers.clear();
        closeQuietly(blackHole);
        blackHole = null;
        synchronized (gate) {
            cut = false;
            gate.notifyAll();
        }
    }

    /** Adds {@code delay} to every chunk and caps each direction at {@code bytesPerSecond} (0: no cap). */
    void shape(Duration delay, long bytesPerSecond) {
        this.delayNanos = delay.toNanos();
        this.bytesPerSecond = bytesPerSecond;
    }

    /** The client a connection the server accepted from {@code relayEnd} stands for (the relay's own end otherwise). */
    SocketAddress clientOf(SocketAddress relayEnd) {
        if (relayEnd instanceof InetSocketAddress inet) {
            return clients.getOrDefault(inet.getPort(), relayEnd);
        }
        return relayEnd;
    }

    @Override
    public synchronized void close() {
        release();
        down();
    }

    /**
     * Listens on the host's address. A listener just closed may hold it a moment longer (the JDK closes a socket that a
     * thread is blocked accepting on once that thread has left), so a busy address is tried again for a second.
     */
    private ServerSocket bind(int backlog) {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (true) {
            try {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                try {
                    s.bind(address, backlog);
                } catch (IOException e) {
                    s.close();
                    throw e;
                }
                return s;
            } catch (java.net.BindException busy) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("cannot listen on " + address + ": " + busy.getMessage(), busy);
                }
                Thread.onSpinWait();
                Thread.yield();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
            }
        }
    }

    private void accept(ServerSocket serving) {
        while (!serving.isClosed()) {
            Socket client;
            try {
                client = serving.accept();
            } catch (IOException closed) {
                return;
            }
            Thread.ofVirtual().start(() -> relay(client));
        }
    }

    private void relay(Socket client) {
        Socket server = new Socket();
        sockets.add(client);
        sockets.add(server);
        try {
            server.connect(backend, 5000);
            clients.put(server.getLocalPort(), client.getRemoteSocketAddress());
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(server);
            return;
        }
        Thread up = Thread.ofVirtual().start(() -> pump(client, server, false));
        pump(server, client, true);
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.remove(server.getLocalPort());
        closeQuietly(client);
        closeQuietly(server);
        sockets.remove(client);
        sockets.remove(server);
    }

    /** Copies one direction; what the host sends ({@code fromHost}) is the part a slow link delays and caps. */
    private void pump(Socket from, Socket to, boolean fromHost) {
        byte[] buffer = new byte[CHUNK];
        long next = System.nanoTime();
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitLink();
                if (fromHost) {
                    next = pace(next, n);
                }
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void awaitLink() throws InterruptedException {
        synchronized (gate) {
            while (cut) {
                gate.wait();
            }
        }
    }

    private long pace(long next, int bytes) throws InterruptedException {
        long delay = delayNanos;
        long rate = bytesPerSecond;
        if (delay > 0) {
            Thread.sleep(Duration.ofNanos(delay));
        }
        if (rate <= 0) {
            return System.nanoTime();
        }
        long due = Math.max(next, System.nanoTime()) + bytes * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
        return due;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
