package io.slipway.backbone.work;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;

/**
 * Who holds a lease on a piece of work (a build, a cluster operation): {@code host/pid/process start in ms}. Unique across
 * restarts, so a restarted instance never takes its predecessor's leases for its own; and checkable on this host, so that
 * an instance can tell at once that a worker of its own host has exited instead of waiting a lease out.
 */
public final class WorkerIdentity {
    /** This machine's name, as worker ids carry it. */
    public static final String HOST = hostName();

    private WorkerIdentity() {
    }

    public static String current() {
        return of(HOST, ProcessHandle.current());
    }

    public static String of(String host, ProcessHandle process) {
        return host + "/" + process.pid() + "/" + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * Whether {@code worker} was a process of this host that no longer runs: its pid is gone, or now belongs to a process
     * that started at another time. A worker of another host (or an id of another form) is never said to have exited:
     * only its lease tells.
     */
    public static boolean exitedHere(String worker) {
        String[] parts = worker.split("/");
        if (parts.length != 3 || !parts[0].equals(HOST) || !parts[1].matches("\\d{1,18}")) {
            return false;
        }
        return ProcessHandle.of(Long.parseLong(parts[1])).filter(ProcessHandle::isAlive).map(p -> !of(HOST, p).equals(worker)).orElse(true);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
