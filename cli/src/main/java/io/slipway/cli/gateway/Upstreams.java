package io.slipway.cli.gateway;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The instances of one service behind a route: requests go to each in turn, and an instance that refused a connection
 * is passed over for a few seconds (a killed or restarting instance), so that its share goes to the others at once.
 * When every instance is passed over, they are tried in turn anyway.
 */
public final class Upstreams {
    /** How long an instance that refused a connection is passed over. */
    static final long PASS_OVER_NANOS = 5_000_000_000L;

    private final List<URI> urls;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray passedOverUntil;

    public Upstreams(List<URI> urls) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one upstream");
        }
        this.urls = List.copyOf(urls);
        this.passedOverUntil = new AtomicLongArray(urls.size());
    }

    public List<URI> urls() {
        return urls;
    }

    /** The instance for the next request. */
    public URI pick() {
        int n = urls.size();
        long now = System.nanoTime();
        int first = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            int candidate = (first + i) % n;
            if (passedOverUntil.get(candidate) - now <= 0) {
                return urls.get(candidate);
            }
        }
        return urls.get(first);
    }

    /** {@code url} refused a connection: pass it over for a while. */
    public void refused(URI url) {
        int i = urls.indexOf(url);
        if (i >= 0) {
            passedOverUntil.set(i, System.nanoTime() + PASS_OVER_NANOS);
        }
    }
}
