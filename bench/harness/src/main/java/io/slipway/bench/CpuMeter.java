package io.slipway.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * CPU time, split by who spends it, for the outbox benchmark's "CPU per event" diagnostics (Linux {@code /proc}):
 * PostgreSQL's backends (the writers' sessions, WAL writer, checkpointer; exited processes through the postmaster's
 * reaped-children times), the walsender that decodes for the relay, this JVM split into the writers' JDBC threads,
 * the measuring consumer and the rest (the relay: Debezium, the producer, GC and JIT), and the Kafka broker.
 */
final class CpuMeter {
    private static final double TICK_NANOS = 1e9 / 100; // USER_HZ, 100 on every Linux this runs on

    /** Nanoseconds of CPU each part has used so far. */
    record Sample(long postgres, long walsender, long writers, long consumer, long jvm, long broker) {
        Sample minus(Sample o) {
            return new Sample(postgres - o.postgres, walsender - o.walsender, writers - o.writers, consumer - o.consumer,
                    jvm - o.jvm, broker - o.broker);
        }

        Sample plus(Sample o) {
            return new Sample(postgres + o.postgres, walsender + o.walsender, writers + o.writers, consumer + o.consumer,
                    jvm + o.jvm, broker + o.broker);
        }

        long relay() {
            return jvm - writers - consumer;
        }

        long total() {
            return postgres + walsender + jvm + broker;
        }

        /** Microseconds per event, by part. */
        String perEvent(long events) {
            double n = events * 1e3;
            return String.format(Locale.ROOT, "%4.0f total = PostgreSQL %3.0f + walsender %3.0f + writers' JDBC %3.0f"
                            + " + relay JVM %3.0f + Kafka broker %3.0f + consumer %3.0f",
                    total() / n, postgres / n, walsender / n, writers / n, relay() / n, broker / n, consumer / n);
        }

        static final Sample ZERO = new Sample(0, 0, 0, 0, 0, 0);
    }

    private final long postmaster;
    private final long broker;
    private final LongSupplier walsenderPid;
    private final LongSupplier writers;
    private final LongSupplier consumer;

    /**
     * @param walsenderPid the relay's walsender now (0 when none)
     * @param writers CPU the writer threads have used so far (they add theirs as they finish)
     * @param consumer CPU of the consumer thread so far
     */
    CpuMeter(long postmaster, long broker, LongSupplier walsenderPid, LongSupplier writers, LongSupplier consumer) {
        this.postmaster = postmaster;
        this.broker = broker;
        this.walsenderPid = walsenderPid;
        this.writers = writers;
        this.consumer = consumer;
    }

    Sample sample() {
        long walsender = walsenderPid.getAsLong();
        long[] pm = stat(postmaster);
        long postgres = (long) ((pm[0] + pm[1] + pm[2] + pm[3]) * TICK_NANOS);
        long wal = 0;
        for (ProcessHandle child : ProcessHandle.of(postmaster).map(p -> p.children().toList()).orElse(java.util.List.of())) {
            long ns = runNanos(child.pid());
            if (child.pid() == walsender) {
                wal = ns;
            } else {
                postgres += ns;
            }
        }
        long[] b = stat(broker);
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        return new Sample(postgres, wal, writers.getAsLong(), consumer.getAsLong(), jvm, (long) ((b[0] + b[1]) * TICK_NANOS));
    }

    /** utime, stime, cutime, cstime in clock ticks (zeros for a process that is gone). */
    private static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // fields 14-17 of proc(5); f[0] is field 3
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return new long[4];
        }
    }

    /** Time on CPU of a single-threaded process in nanoseconds (schedstat: exact, unlike the tick counts of stat). */
    private static long runNanos(long pid) {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc", Long.toString(pid), "schedstat")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            long[] t = stat(pid);
            return (long) ((t[0] + t[1]) * TICK_NANOS);
        }
    }
}
