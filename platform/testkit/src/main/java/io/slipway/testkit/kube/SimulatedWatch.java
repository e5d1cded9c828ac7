package io.slipway.testkit.kube;

import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * One watch the simulated API server serves over a WebSocket: first its initial events (the changes since the
 * requested resourceVersion, or synthetic ADDED events of the current state), then every matching change in
 * resourceVersion order. Like the API server it writes only as fast as the client reads (the socket's write queue),
 * keeps live changes for a slow client in a bounded backlog and closes the watch when that overflows, which is what
 * the watch cache does with an unresponsive watcher.
 *
 * <p>The first event can be held back for a few milliseconds after the handshake: fabric8's Vert.x client attaches
 * its message handlers in a callback that, when its thread is descheduled, runs after frames that followed the
 * handshake at once have been dropped (seen on a loaded machine over loopback; over a network the handshake's round
 * trip hides it).
 */
final class SimulatedWatch extends WebSocketListener {
    private final AttributeSet query;
    private final boolean bookmarks;
    private final String bookmarkPrefix;
    private final int backlogLimit;
    private final long firstEventDelayMillis;
    private final Consumer<SimulatedWatch> onEnd;

    private Iterator<String> initial = Collections.emptyIterator();
    private final ArrayDeque<String> backlog = new ArrayDeque<>();
    private boolean endWhenSent;
    private WebSocket socket;
    private ServerWebSocket channel;
    private Context context;
    private boolean pumpScheduled;
    private boolean held;
    private boolean ended;

    SimulatedWatch(AttributeSet query, boolean bookmarks, String apiVersion, String kind, int backlogLimit,
                   long firstEventDelayMillis, Consumer<SimulatedWatch> onEnd) {
        this.query = query;
        this.bookmarks = bookmarks;
        this.bookmarkPrefix = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"" + kind + "\",\"apiVersion\":\"" + apiVersion
                + "\",\"metadata\":{\"resourceVersion\":\"";
        this.backlogLimit = backlogLimit;
        this.firstEventDelayMillis = firstEventDelayMillis;
        this.onEnd = onEnd;
    }

    static String message(String type, String object) {
        return "{\"type\":\"" + type + "\",\"object\":" + object + "}";
    }

    /** Replays {@code changes} (oldest first) before any live change. */
    synchronized void replay(List<SimulatedApiServer.Change> changes) {
        Iterator<SimulatedApiServer.Change> source = changes.iterator();
        initial = new Iterator<>() {
            private String next;

            @Override
            public boolean hasNext() {
                while (next == null && source.hasNext()) {
                    next = messageFor(source.next());
                }
                return next != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String m = next;
                next = null;
                return m;
            }
        };
    }

    /** Sends the current state as synthetic ADDED events before any live change. */
    synchronized void currentState(List<String> objects) {
        initial = objects.stream().map(o -> message("ADDED", o)).iterator();
    }

    /** Sends only {@code message} and then ends the watch (an ERROR event, e.g. 410 Gone). */
    synchronized void only(String message) {
        initial = List.of(message).iterator();
        endWhenSent = true;
    }

    /** The watch event {@code change} means for this watch, or null if it does not concern it. */
    String messageFor(SimulatedApiServer.Change change) {
        boolean before = change.before() != null && change.before().matches(query);
        boolean after = change.after() != null && change.after().matches(query);
        if (before && after) {
            return message("MODIFIED", change.current());
        } else if (before) {
            return message("DELETED", change.previous());
        } else if (after) {
            return message("ADDED", change.current());
        }
        return null;
    }

    /** A change committed by the server, in resourceVersion order. */
    void offer(SimulatedApiServer.Change change) {
        String m = messageFor(change);
        if (m != null) {
            enqueue(m);
        }
    }

    void bookmark(long resourceVersion) {
        if (bookmarks) {
            enqueue(bookmarkPrefix + resourceVersion + "\"}}}");
        }
    }

    private synchronized void enqueue(String message) {
        if (ended) {
            return;
        }
        backlog.add(message);
        if (backlog.size() > backlogLimit) {
            end(1000, "watcher too slow: more than " + backlogLimit + " events waiting");
            return;
        }
        schedulePump();
    }

    /** Ends the watch as the server does when a watch times out or the server restarts: the client must re-watch. */
    synchronized void end(int code, String reason) {
        if (ended) {
            return;
        }
        ended = true;
        backlog.clear();
        if (socket != null) {
            socket.close(code, reason);
        }
        onEnd.accept(this);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        synchronized (this) {
            socket = webSocket;
            channel = vertxSocketOf(webSocket);
            context = Vertx.currentContext();
            if (ended) {
                webSocket.close(1000, "watch ended");
                return;
            }
            if (channel != null) {
                channel.drainHandler(v -> pump());
            }
            if (firstEventDelayMillis > 0 && context != null) {
                held = true;
                context.owner().setTimer(firstEventDelayMillis, id -> {
                    synchronized (this) {
                        held = false;
                    }
                    pump();
                });
            } else {
                schedulePump();
            }
        }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(code, reason);
        ended();
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        ended();
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
        webSocket.close(1011, String.valueOf(error.getMessage()));
        ended();
    }

    private synchronized void ended() {
        if (!ended) {
            ended = true;
            backlog.clear();
            onEnd.accept(this);
        }
    }

    /** Writes on the socket's event loop, where the write queue's state is exact. */
    private void schedulePump() {
        if (socket == null || pumpScheduled) {
            return;
        }
        pumpScheduled = true;
        if (context != null) {
            context.runOnContext(v -> pump());
        } else {
            pump();
        }
    }

    private synchronized void pump() {
        pumpScheduled = false;
        if (socket == null || ended || held) {
            return;
        }
        while (channel == null || !channel.writeQueueFull()) {
            String next = initial.hasNext() ? initial.next() : backlog.poll();
            if (next == null) {
                break;
            }
            socket.send(next);
        }
        if (endWhenSent && !initial.hasNext() && backlog.isEmpty()) {
            end(1000, "watch ended");
        }
    }

    /**
     * The Vert.x socket behind fabric8's mock socket, whose write queue tells when the client stops reading. fabric8
     * keeps it in a private field; without it the watch still works, only without flow control.
     */
    private static ServerWebSocket vertxSocketOf(WebSocket webSocket) {
        try {
            Field field = webSocket.getClass().getDeclaredField("webSocket");
            field.setAccessible(true);
            return field.get(webSocket) instanceof ServerWebSocket s ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
