package io.slipway.infra.provision;

import io.slipway.provision.Ticker;
import java.time.Duration;
import java.time.Instant;

/**
 * The machine's clock for one pool's run, which a delete can stop: the run's next wait throws instead of sleeping.
 * The run is only ever stopped between its steps, never inside a provider call or a database transaction (a thread
 * interrupt could land in either and leave a connection half-used).
 */
final class CancellableTicker implements Ticker {
    private final Ticker clock = Ticker.system();
    private final Object lock = new Object();
    private boolean cancelled;

    @Override
    public Instant now() {
        return clock.now();
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
        long until = System.nanoTime() + Math.max(0, d.toNanos());
        synchronized (lock) {
            for (long left = until - System.nanoTime(); !cancelled && left > 0; left = until - System.nanoTime()) {
                lock.wait(left / 1_000_000, (int) (left % 1_000_000));
            }
            if (cancelled) {
                throw new InterruptedException("the pool is being deleted");
            }
        }
    }

    void cancel() {
        synchronized (lock) {
            cancelled = true;
            lock.notifyAll();
        }
    }
}
