package io.slipway.testkit.kube;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the simulated container runtime holds for one pod on a node: its sandbox (IP, start time) and, per container,
 * the instances it has run. Changed only on the simulated control plane's thread; the kubelet renders it as the
 * pod's status ({@link PodStatuses}).
 */
final class RunningPod {
    /** One run of a container: what a {@code containerStatuses[].state} shows of it. */
    static final class Instance {
        final String containerId;
        final String image;
        final String imageId;
        final Instant startedAt;
        Instant finishedAt;
        int exitCode;
        String reason;

        Instance(String image, String imageId, Instant startedAt) {
            byte[] id = new byte[32];
            ThreadLocalRandom.current().nextBytes(id);
            this.containerId = "containerd://" + HexFormat.of().formatHex(id);
            this.image = image;
            this.imageId = imageId;
            this.startedAt = startedAt;
        }

        boolean exited() {
            return finishedAt != null;
        }

        void exit(int code, Instant at) {
            exitCode = code;
            reason = code == 0 ? "Completed" : "Error";
            finishedAt = at;
        }
    }

    enum State { CREATING, RUNNING, EXITED }

    /**
     * One container of the pod: while {@code CREATING} a new instance is on its way (the first, or a restart after
     * an image change or a failure); {@code current} is the latest instance, {@code previous} the one before it.
     */
    static final class Container {
        final String name;
        State state = State.CREATING;
        String wantedImage;
        Instance current;
        Instance previous;
        int restartCount;
        boolean ready;
        /** Bumped at every transition: a timer set for an older one does nothing. */
        long generation;

        Container(String name, String image) {
            this.name = name;
            this.wantedImage = image;
        }

        /** The runtime starts a new instance of {@link #wantedImage}; a second or later one is a restart. */
        void start(String imageId, Instant at) {
            if (current != null) {
                previous = current;
                restartCount++;
            }
            current = new Instance(wantedImage, imageId, at);
            state = State.RUNNING;
            ready = false;
            generation++;
        }

        /** The running instance exits (by itself or killed); {@code then} is what comes next. */
        void exit(int code, Instant at, State then) {
            if (current != null && !current.exited()) {
                current.exit(code, at);
            }
            state = then;
            ready = false;
            generation++;
        }

        /** A change of image: the instance is killed and a new one will be created. */
        void recreate(String image, Instant at) {
            wantedImage = image;
            if (state == State.RUNNING) {
                exit(0, at, State.CREATING);
            } else {
                state = State.CREATING;
                generation++;
            }
        }
    }

    final String uid;
    final String node;
    final String hostIp;
    final String podIp;
    final Instant startTime;
    final Map<String, Container> containers = new LinkedHashMap<>();
    /** Init containers, each run once to completion when the sandbox started. */
    final Map<String, Instance> inits = new LinkedHashMap<>();
    final List<Future<?>> timers = new ArrayList<>();
    /** Deleted: its containers are being stopped ({@code terminating}) or have been ({@code stopped}). */
    boolean terminating;
    boolean stopped;
    long terminationDelay;

    RunningPod(String uid, String node, String hostIp, String podIp, Instant startTime) {
        this.uid = uid;
        this.node = node;
        this.hostIp = hostIp;
        this.podIp = podIp;
        this.startTime = startTime.truncatedTo(ChronoUnit.SECONDS);
    }

    boolean allExited() {
        return containers.values().stream().allMatch(c -> c.state == State.EXITED);
    }

    boolean allSucceeded() {
        return containers.values().stream().allMatch(c -> c.state == State.EXITED && c.current != null && c.current.exitCode == 0);
    }

    /**
     * Stops every container now, as the kubelet does for a deleted pod (a graceful stop: exit code 0); nothing starts
     * or restarts afterwards. A container that never started stays as it is.
     */
    void stopAll(Instant at) {
        cancelTimers();
        for (Container c : containers.values()) {
            if (c.current != null) {
                c.exit(0, at, State.EXITED);
            }
        }
        stopped = true;
    }

    void cancelTimers() {
        timers.forEach(t -> t.cancel(false));
        timers.clear();
    }
}
