package io.slipway.testkit.ec2;

import io.slipway.provision.Ticker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A simulated EC2 region for one account: the part of the API Slipway's {@code aws} provider uses (RunInstances,
 * DescribeInstances, TerminateInstances), with what makes a real cloud hard to drive — heavy-tailed boot times,
 * describes that do not see a new instance for a while, per-API token-bucket throttling, capacity that runs short,
 * 5xx answers and responses lost after the work was done, ClientToken idempotency, instances that fail to boot.
 *
 * <p>Everything random comes from one {@link Random} seeded at construction, and every time from the {@link Ticker}
 * (a {@code VirtualTicker} for benchmarks), so the same seed and the same calls give the same run. An instance's whole
 * life is scheduled when it is launched; a call reads it off that schedule at {@code ticker.now()}. State lives here,
 * not in any client: instances keep running when the client that launched them dies.
 *
 * <p>Calls fail with {@link Ec2Error} carrying EC2's error code. {@link #record()} is the simulation's own account for
 * benchmarks and assertions. Thread-safe (the HTTP endpoint calls it from several threads), by one lock.
 */
public final class SimulatedEc2 {
    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");
    private static final Pattern IMAGE_ID = Pattern.compile("ami-[0-9a-f]{8,17}");
    private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z][a-z0-9-]*\\.[a-z0-9]+");
    private static final double Z_99 = 2.3263478740408408;

    private final Ec2Options options;
    private final Ticker ticker;
    private final long seed;
    private final Random random;
    private final double bootMu;
    private final double bootSigma;
    private final Map<String, SimulatedInstance> instances = new LinkedHashMap<>();
    private final Map<String, Launch> launchesByToken = new HashMap<>();
    private final Map<String, TokenBucket> buckets = new HashMap<>();
    private final Map<String, Long> calls = new TreeMap<>();
    private final Map<String, Long> throttled = new TreeMap<>();
    private final Map<String, Long> errors = new TreeMap<>();
    private final Map<String, Deque<Ec2Fault>> scripted = new HashMap<>();
    private boolean loseThisResponse;
    private long addressesHandedOut;

    /** A RunInstances that launched, remembered under its client token. */
    private record Launch(RunInstances parameters, String reservationId, List<String> instanceIds) {
    }

    public SimulatedEc2(Ec2Options options, long seed, Ticker ticker) {
        this.options = options;
        this.ticker = ticker;
        this.seed = seed;
        this.random = new Random(seed);
        this.bootMu = Math.log(seconds(options.bootMedian()));
        this.bootSigma = Math.log(seconds(options.bootP99()) / seconds(options.bootMedian())) / Z_99;
    }

    public Ec2Options options() {
        return options;
    }

    /** The clock the simulation reads; a simulated client advances the same one. */
    public Ticker ticker() {
        return ticker;
    }

    /**
     * Launches between {@code minCount} and {@code maxCount} instances, as many as capacity allows; fewer than
     * {@code minCount} available fails with {@code InsufficientInstanceCapacity}. A client token seen before answers
     * the reservation it made (its instances as they are now) and launches nothing, or fails with
     * {@code IdempotentParameterMismatch} when the other parameters differ.
     */
    public synchronized Reservation runInstances(RunInstances request) {
        return counted(() -> {
            Instant now = admit("RunInstances", "RunInstances", options.mutating());
            validate(request);
            Launch earlier = request.clientToken() == null ? null : launchesByToken.get(request.clientToken());
            if (earlier != null) {
                if (!earlier.parameters().equals(request.withoutToken())) {
                    throw Ec2Error.client("IdempotentParameterMismatch", "The client token '" + request.clientToken()
                            + "' was used before with different parameters (" + earlier.reservationId() + ")");
                }
                return answer("RunInstances", reservationOf(earlier, now));
            }
            int available = available(request, now);
            if (available < request.minCount()) {
                throw Ec2Error.client("InsufficientInstanceCapacity", "We currently do not have sufficient "
                        + request.instanceType() + " capacity in the Availability Zone you requested (asked "
                        + request.minCount() + "-" + request.maxCount() + ", " + available + " available)");
            }
            takeResource("RunInstances", options.runInstancesResource(), available, now);
            Launch launch = launch(request, available, now);
            if (request.clientToken() != null) {
                launchesByToken.put(request.clientToken(), launch);
            }
            return answer("RunInstances", reservationOf(launch, now));
        });
    }

    /**
     * Describes instances by id (any id not visible fails the call with {@code InvalidInstanceID.NotFound}) or by
     * filters (instances not visible are absent), a page at a time.
     */
    public synchronized DescribePage describeInstances(DescribeInstances request) {
        return counted(() -> {
            Quota quota = request.unfilteredAndUnpaged() ? options.unfilteredNonMutating() : options.nonMutating();
            Instant now = admit("DescribeInstances", request.unfilteredAndUnpaged() ? "DescribeInstances/unfiltered"
                    : "DescribeInstances", quota);
            Integer max = request.maxResults();
            if (max != null && !request.instanceIds().isEmpty()) {
                throw Ec2Error.client("InvalidParameterCombination",
                        "The parameter instancesSet cannot be used with the parameter maxResults");
            }
            if (max != null && (max < 5 || max > 1000)) {
                throw Ec2Error.client("InvalidParameterValue", "Value (" + max + ") for parameter maxResults is invalid. "
                        + "Expecting a value between 5 and 1000.");
            }
            requireVisible(request.instanceIds(), now);
            List<Ec2Instance> matching = new ArrayList<>();
            for (SimulatedInstance i : instances.values()) {
                if (i.visibleAt(now, options.terminatedRetention())
                        && (request.instanceIds().isEmpty() || request.instanceIds().contains(i.id))) {
                    Ec2Instance view = i.viewAt(now);
                    if (InstanceFilters.matches(view, request.filters())) {
                        matching.add(view);
                    }
                }
            }
            int from = offsetOf(request.nextToken());
            int to = max == null ? matching.size() : Math.min(matching.size(), from + max);
            String next = to < matching.size() ? "page-" + to : null;
            return answer("DescribeInstances", new DescribePage(matching.subList(Math.min(from, to), to), next));
        });
    }

    /**
     * Terminates instances: alive ones start shutting down and are terminated a few seconds later; ended ones stay as
     * they are. Any id not visible fails the whole call with {@code InvalidInstanceID.NotFound}, terminating none.
     */
    public synchronized List<Termination> terminateInstances(List<String> instanceIds) {
        return counted(() -> {
            Instant now = admit("TerminateInstances", "TerminateInstances", options.mutating());
            if (instanceIds.isEmpty()) {
                throw Ec2Error.client("MissingParameter", "The request must contain the parameter InstanceId");
            }
            requireVisible(instanceIds, now);
            takeResource("TerminateInstances", options.terminateResource(), instanceIds.size(), now);
            List<Termination> result = new ArrayList<>();
            for (String id : instanceIds) {
                SimulatedInstance i = instances.get(id);
                InstanceState before = i.stateAt(now);
                if (before.alive()) {
                    i.end(now, now.plus(between(options.shutdownMin(), options.shutdownMax())),
                            "Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown");
                }
                result.add(new Termination(id, before, i.stateAt(now)));
            }
            return answer("TerminateInstances", result);
        });
    }

    /**
     * The host key the instance's sshd presents (an OpenSSH public key line, the same for the same seed and id), or
     * empty while it does not answer: before its SSH-ready time, or once it is shutting down.
     */
    public synchronized Optional<String> sshHostKey(String instanceId) {
        SimulatedInstance i = instances.get(instanceId);
        Instant now = ticker.now();
        if (i == null || i.sshReadyAt == null || now.isBefore(i.sshReadyAt) || i.stateAt(now) != InstanceState.RUNNING) {
            return Optional.empty();
        }
        return Optional.of(hostKeyOf(instanceId));
    }

    /**
     * Makes the next call of {@code action} ({@code RunInstances}, {@code DescribeInstances},
     * {@code TerminateInstances}) fail with {@code fault}, on top of the random faults; several queue up in order.
     */
    public synchronized void failNext(String action, Ec2Fault fault) {
        scripted.computeIfAbsent(action, a -> new ArrayDeque<>()).add(fault);
    }

    /** The simulation's own account at this moment. */
    public synchronized SimulationRecord record() {
        return new SimulationRecord(ticker.now(), instances.values().stream().map(SimulationRecord::lifeOf).toList(),
                calls, throttled, errors);
    }

    private <T> T counted(Supplier<T> call) {
        try {
            return call.get();
        } catch (Ec2Error e) {
            errors.merge(e.code(), 1L, Long::sum);
            throw e;
        }
    }

    /** Counts the call, throttles it, and fails it with a random 5xx, before it does anything. */
    private Instant admit(String action, String bucket, Quota quota) {
        Instant now = ticker.now();
        calls.merge(action, 1L, Long::sum);
        Deque<Ec2Fault> faults = scripted.get(action);
        Ec2Fault fault = faults == null ? null : faults.poll();
        loseThisResponse = fault == Ec2Fault.RESPONSE_LOST;
        if (fault == Ec2Fault.REQUEST_LOST || chance(options.lostRequestRate())) {
            throw Ec2Error.requestLost(action);
        }
        if (fault == Ec2Fault.THROTTLE) {
            throttled.merge(action, 1L, Long::sum);
            throw new Ec2Error("RequestLimitExceeded", 503, "Request limit exceeded.");
        }
        if (fault == Ec2Fault.SERVER_ERROR) {
            throw new Ec2Error("InternalError", 500, "An internal error has occurred");
        }
        if (!buckets.computeIfAbsent(bucket, b -> new TokenBucket(quota, now)).tryTake(1, now)) {
            throttled.merge(action, 1L, Long::sum);
            throw new Ec2Error("RequestLimitExceeded", 503, "Request limit exceeded.");
        }
        if (chance(options.serverErrorRate())) {
            throw random.nextBoolean()
                    ? new Ec2Error("InternalError", 500, "An internal error has occurred")
                    : new Ec2Error("Unavailable", 503, "The server is overloaded and can't handle the request");
        }
        return now;
    }

    /** A performed call's answer, unless the simulated network loses it. */
    private <T> T answer(String action, T result) {
        if (loseThisResponse || chance(options.lostResponseRate())) {
            loseThisResponse = false;
            throw Ec2Error.responseLost(action);
        }
        return result;
    }

    private void takeResource(String action, Quota quota, int n, Instant now) {
        if (!buckets.computeIfAbsent(action + "/resource", b -> new TokenBucket(quota, now)).tryTake(n, now)) {
            throttled.merge(action, 1L, Long::sum);
            throw new Ec2Error("RequestLimitExceeded", 503, "Request limit exceeded (resource rate of " + action + ").");
        }
    }

    private static void validate(RunInstances r) {
        if (r.imageId() == null || !IMAGE_ID.matcher(r.imageId()).matches()) {
            throw Ec2Error.client("InvalidAMIID.Malformed", "Invalid id: \"" + r.imageId() + "\" (expecting \"ami-...\")");
        }
        if (r.instanceType() == null || !INSTANCE_TYPE.matcher(r.instanceType()).matches()) {
            throw Ec2Error.client("InvalidParameterValue", "Invalid value '" + r.instanceType() + "' for InstanceType.");
        }
        if (r.minCount() < 1 || r.maxCount() < r.minCount()) {
            throw Ec2Error.client("InvalidParameterValue", "MinCount (" + r.minCount() + ") must be at least 1 and "
                    + "not above MaxCount (" + r.maxCount() + ")");
        }
        if (r.clientToken() != null && (r.clientToken().isEmpty() || r.clientToken().length() > 64)) {
            throw Ec2Error.client("InvalidParameterValue", "The client token must be 1-64 characters");
        }
    }

    private int available(RunInstances request, Instant now) {
        int available = request.maxCount();
        Integer capacity = options.capacity().get(request.instanceType());
        if (capacity != null) {
            long live = instances.values().stream()
                    .filter(i -> i.launchedBy.instanceType().equals(request.instanceType()))
                    .filter(i -> i.stateAt(now) != InstanceState.TERMINATED)
                    .count();
            available = (int) Math.max(0, Math.min(available, capacity - live));
        }
        if (chance(options.capacityShortfallRate())) {
            available = Math.min(available, random.nextInt(request.maxCount()));
        }
        return available;
    }

    private Launch launch(RunInstances request, int count, Instant now) {
        String reservationId = "r-" + randomHex();
        List<String> ids = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            String id;
            do {
                id = "i-" + randomHex();
            } while (instances.containsKey(id));
            Instant visibleAt = now.plus(between(Duration.ZERO, options.visibilityDelayMax()));
            Duration boot = bootTime();
            SimulatedInstance instance;
            if (chance(options.bootFailureRate())) {
                instance = new SimulatedInstance(id, reservationId, request, index, nextAddress(), now, visibleAt,
                        null, null);
                Instant failedAt = now.plus(scale(boot, 0.3 + 0.6 * random.nextDouble()));
                instance.end(failedAt, failedAt, "Server.InternalError", "Server.InternalError: Internal error on launch");
            } else {
                Instant runningAt = now.plus(boot);
                instance = new SimulatedInstance(id, reservationId, request, index, nextAddress(), now, visibleAt,
                        runningAt, runningAt.plus(between(options.sshDelayMin(), options.sshDelayMax())));
            }
            instances.put(id, instance);
            ids.add(id);
        }
        return new Launch(request.withoutToken(), reservationId, List.copyOf(ids));
    }

    private Reservation reservationOf(Launch launch, Instant now) {
        return new Reservation(launch.reservationId(),
                launch.instanceIds().stream().map(id -> instances.get(id).viewAt(now)).toList());
    }

    private void requireVisible(List<String> ids, Instant now) {
        List<String> malformed = ids.stream().filter(id -> !INSTANCE_ID.matcher(id).matches()).toList();
        if (!malformed.isEmpty()) {
            throw Ec2Error.client("InvalidInstanceID.Malformed", "Invalid id: \"" + malformed.get(0) + "\"");
        }
        List<String> unseen = ids.stream().filter(id -> instances.get(id) == null
                || !instances.get(id).visibleAt(now, options.terminatedRetention())).toList();
        if (unseen.size() == 1) {
            throw Ec2Error.client("InvalidInstanceID.NotFound", "The instance ID '" + unseen.get(0) + "' does not exist");
        }
        if (!unseen.isEmpty()) {
            throw Ec2Error.client("InvalidInstanceID.NotFound",
                    "The instance IDs '" + String.join(", ", unseen) + "' do not exist");
        }
    }

    private static int offsetOf(String nextToken) {
        if (nextToken == null) {
            return 0;
        }
        try {
            if (nextToken.startsWith("page-")) {
                return Integer.parseInt(nextToken.substring(5));
            }
        } catch (NumberFormatException e) {
            // answered below like any other token this service did not hand out
        }
        throw Ec2Error.client("InvalidParameterValue", "Invalid NextToken: " + nextToken);
    }

    /** Log-normal around the median with the configured 99th percentile, never below the floor. */
    Duration bootTime() {
        double s = Math.exp(bootMu + bootSigma * random.nextGaussian());
        Duration d = Duration.ofNanos((long) (s * 1e9));
        return d.compareTo(options.bootFloor()) < 0 ? options.bootFloor() : d;
    }

    private Duration between(Duration min, Duration max) {
        long span = max.toNanos() - min.toNanos();
        return span <= 0 ? min : min.plusNanos((long) (random.nextDouble() * span));
    }

    private boolean chance(double p) {
        return p > 0 && random.nextDouble() < p;
    }

    private String randomHex() {
        byte[] b = new byte[9];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b).substring(0, 17);
    }

    private String nextAddress() {
        long n = ++addressesHandedOut;
        return "10." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    /** An ssh-ed25519 public key line whose 32 key bytes come from the seed and the id. */
    private String hostKeyOf(String instanceId) {
        byte[] key;
        try {
            key = MessageDigest.getInstance("SHA-256").digest((seed + "/" + instanceId).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer blob = ByteBuffer.allocate(4 + type.length + 4 + key.length);
        blob.putInt(type.length).put(type).putInt(key.length).put(key);
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob.array()) + " " + instanceId;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static Duration scale(Duration d, double factor) {
        return Duration.ofNanos((long) (d.toNanos() * factor));
    }
}
