package io.slipway.backbone.work;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The thread that keeps a service's work leases: every quarter of the lease it runs {@code tick} (renew this instance's
 * leases, then take back the work of workers that are gone) until {@code stopping} says so. A failed tick (the database
 * restarting) is logged and tried again on the next one.
 */
public final class LeaseKeeper {
    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    private LeaseKeeper() {
    }

    /** A daemon thread, not started. */
    public static Thread thread(String name, Duration lease, BooleanSupplier stopping, Runnable tick) {
        long every = lease.dividedBy(4).toNanos();
        Thread t = new Thread(() -> {
            while (!stopping.getAsBoolean()) {
                try {
                    tick.run();
                } catch (RuntimeException e) {
                    if (stopping.getAsBoolean()) {
                        return;
                    }
                    LOG.warnf("%s: cannot renew leases now: %s", name, e.getMessage());
                }
                LockSupport.parkNanos(every);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }
}
