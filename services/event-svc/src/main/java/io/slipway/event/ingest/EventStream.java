package io.slipway.event.ingest;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.slipway.retry.Backoff;
import io.slipway.event.ingest.Observed.Origin;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Lists and watches the Events of one {@link StreamKey}, handing what it reads, in order, to the cluster's
 * {@link IngestQueue}. It resumes from the stored resourceVersion; without one it lists first (the stream's first
 * start); when the API server answers that a resourceVersion has expired (410 Gone) it lists again and watches from
 * the list's resourceVersion. Other errors and ended watches are retried from the last resourceVersion read, with
 * backoff.
 *
 * <p>The watch is read over fabric8's HTTP client but not through its {@code Watcher}: that hands every message to an
 * unbounded executor queue, so a slow consumer grows memory without limit. Here the socket is asked for the next
 * message only once the queue has admitted the previous one.
 */
final class EventStream {
    private static final Logger LOG = Logger.getLogger(EventStream.class);

    private final StreamKey key;
    private final KubernetesClient client;
    private final Context eventLoop;
    private final IngestQueue queue;
    private final StreamProgress progress;
    private final IngestConfig.Watch settings;
    private final IngestMeters.Stream meters;
    private final String startFrom;
    private final WatchFrames frames;

    private volatile boolean running = true;
    private volatile Watching current;
    private Thread thread;

    /** {@code startFrom}: the stored resourceVersion, or null on this stream's first start. */
    EventStream(StreamKey key, KubernetesClient client, Vertx vertx, IngestQueue queue, StreamProgress progress, String startFrom,
                IngestConfig.Watch settings, IngestMeters.Stream meters) {
        this.key = key;
        this.client = client;
        this.eventLoop = vertx.getOrCreateContext();
        this.queue = queue;
        this.progress = progress;
        this.startFrom = startFrom;
        this.settings = settings;
        this.meters = meters;
        this.frames = new WatchFrames(key.api());
    }

    StreamKey key() {
        return key;
    }

    void start() {
        thread = new Thread(this::run, "ingest-watch-" + key);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops reading; what was read stays in the queue for the caller to publish or drop. */
    void stop() {
        running = false;
        Watching w = current;
        if (w != null) {
            w.close();
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Backoff backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
        String rv = startFrom;
        Origin listing = rv == null ? Origin.FIRST_LIST : Origin.RELIST;
        int failures = 0;
        while (running) {
            try {
                if (rv == null) {
                    rv = list(listing);
                    listing = Origin.RELIST;
                }
                WatchEnd end = watch(rv);
                if (end.lastResourceVersion() != null) {
                    rv = end.lastResourceVersion();
                }
                // a watch that ended without delivering anything is retried with backoff, so a server that keeps
                // refusing, closing or expiring watches is not hammered
                failures = end.receivedAny() ? 0 : failures + 1;
                if (end.gone()) {
                    LOG.infof("stream %s: resourceVersion %s has expired (410 Gone); listing again", key, rv);
                    meters.relists().increment();
                    rv = null;
                    if (failures > 1 && !sleep(backoff.forRetry(failures - 1).toMillis())) {
                        return;
                    }
                    continue;
                }
                if (end.error() != null && running) {
                    LOG.warnf("stream %s: watch from resourceVersion %s failed, retrying: %s", key, rv, end.error().getMessage());
                }
                if (failures > 0 && !sleep(backoff.forRetry(failures).toMillis())) {
                    return;
                }
            } catch (KubernetesClientException e) {
                failures++;
                if (e.getCode() == 410) {
                    LOG.infof("stream %s: list continuation expired (410 Gone); listing again", key);
                    if (failures < 3) {
                        continue;
                    }
                }
                LOG.warnf("stream %s: list failed (attempt %d), retrying: %s", key, failures, e.getMessage());
                if (!sleep(backoff.forRetry(failures).toMillis())) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failures++;
                LOG.warnf(e, "stream %s: unexpected failure (attempt %d), retrying", key, failures);
                if (!sleep(backoff.forRetry(failures).toMillis())) {
                    return;
                }
            }
        }
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Lists every Event page by page into the queue; returns the list's resourceVersion, the point to watch from. */
    private String list(Origin origin) throws InterruptedException {
        String token = null;
        String listedAt = null;
        do {
            EventApi.Page page = key.api().list(client, key.namespace(), settings.listPageSize(), token);
            if (listedAt == null) {
                listedAt = page.resourceVersion();
            }
            for (Occurrence item : page.items()) {
                meters.watched().increment();
                queue.put(observed(item, null, origin));
            }
            token = page.continueToken();
        } while (token != null && running);
        // the end of the list is where a watch may resume once every listed item has been handled
        queue.put(observed(null, listedAt, origin));
        LOG.debugf("stream %s: listed at resourceVersion %s", key, listedAt);
        return listedAt;
    }

    private Observed observed(Occurrence occurrence, String resumeAt, Origin origin) {
        UUID id = occurrence == null ? null : occurrence.eventId(key.cluster());
        return new Observed(key, progress.read(resumeAt), occurrence, id, resumeAt, origin, System.nanoTime());
    }

    /** How a watch request ended. */
    record WatchEnd(String lastResourceVersion, boolean gone, Throwable error, boolean receivedAny) {
    }

    /** Watches from {@code rv} until the watch ends; blocks this stream's thread meanwhile. */
    private WatchEnd watch(String rv) throws InterruptedException {
        long timeout = settings.timeout().toSeconds() + ThreadLocalRandom.current().nextLong(settings.timeout().toSeconds() + 1);
        String master = client.getConfiguration().getMasterUrl();
        URI uri = URI.create((master.endsWith("/") ? master : master + "/") + key.api().collectionPath(key.namespace())
                + "?watch=true&allowWatchBookmarks=true&timeoutSeconds=" + timeout
                + "&resourceVersion=" + URLEncoder.encode(rv, StandardCharsets.UTF_8));
        Watching watching = new Watching(rv);
        current = watching;
        // Opened from the client's event loop: fabric8's Vert.x client attaches its message handlers in a callback it
        // registers after starting the handshake. Registered from another thread, that callback can come after the
        // handshake completed, and the events the server sent right after it are dropped; from the event loop it
        // cannot (the handshake completes on that loop, after this task).
        CompletableFuture<WebSocket> opening = new CompletableFuture<>();
        eventLoop.runOnContext(v -> client.getHttpClient().newWebSocketBuilder()
                .uri(uri).connectTimeout(30, TimeUnit.SECONDS).buildAsync(watching)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        opening.completeExceptionally(error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error);
                    } else {
                        opening.complete(ws);
                    }
                }));
        try {
            watching.socket = opening.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WebSocketHandshakeException h && h.getResponse() != null && h.getResponse().code() == 410) {
                return new WatchEnd(rv, true, null, false);
            }
            return new WatchEnd(rv, false, cause, false);
        } catch (java.util.concurrent.TimeoutException e) {
            opening.cancel(true);
            return new WatchEnd(rv, false, e, false);
        }
        if (!running) {
            watching.close();
        }
        try {
            return watching.ended.get();
        } catch (ExecutionException e) {
            return new WatchEnd(watching.lastRv, false, e.getCause(), watching.receivedAny);
        } finally {
            current = null;
        }
    }

    /** One watch request: reads a message, hands it over, and asks for the next only when the queue took it. */
    private final class Watching implements WebSocket.Listener {
        final CompletableFuture<WatchEnd> ended = new CompletableFuture<>();
        volatile WebSocket socket;
        volatile String lastRv;
        volatile boolean receivedAny;

        Watching(String from) {
            this.lastRv = from;
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            if (ended.isDone()) {
                return;
            }
            WatchFrames.Frame event;
            try {
                event = frames.read(text);
            } catch (IOException | RuntimeException e) {
                end(new WatchEnd(lastRv, false, new IllegalStateException("unreadable watch event from " + key + ": " + e.getMessage(), e),
                        receivedAny), ws);
                return;
            }
            String type = event.type();
            if ("ERROR".equals(type)) {
                WatchFrames.Failure status = event.failure();
                boolean gone = status != null && status.gone();
                end(new WatchEnd(lastRv, gone, gone ? null : new IllegalStateException("watch error: " + (status == null ? text : status)),
                        receivedAny), ws);
                return;
            }
            if (!event.hasObject()) {
                end(new WatchEnd(lastRv, false, new IllegalStateException("watch event without an object from " + key), receivedAny), ws);
                return;
            }
            String rv = event.resourceVersion();
            Occurrence occurrence = event.occurrence();
            if (occurrence != null) {
                meters.watched().increment();
            }
            Observed item = observed(occurrence, rv, Origin.WATCH);
            lastRv = rv;
            receivedAny = true;
            if (queue.offer(item, ws::request)) {
                ws.request();
            } else {
                meters.paused().increment();
            }
        }

        @Override
        public void onMessage(WebSocket ws, ByteBuffer bytes) {
            onMessage(ws, StandardCharsets.UTF_8.decode(bytes).toString());
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            ended.complete(new WatchEnd(lastRv, false, null, receivedAny));
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ended.complete(new WatchEnd(lastRv, false, error, receivedAny));
        }

        private void end(WatchEnd end, WebSocket ws) {
            ended.complete(end);
            ws.sendClose(1000, null);
        }

        void close() {
            ended.complete(new WatchEnd(lastRv, false, null, receivedAny));
            WebSocket ws = socket;
            if (ws != null) {
                ws.sendClose(1000, null);
            }
        }
    }
}
