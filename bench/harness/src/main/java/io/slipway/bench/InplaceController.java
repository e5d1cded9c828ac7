package io.slipway.bench;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.workload.kruise.statefulset.StatefulSetReconciler;
import io.slipway.workload.ledger.LedgerDiff;
import io.slipway.workload.ledger.Observation;
import io.slipway.workload.ledger.TransitionRecorder;
import io.slipway.workload.operator.WorkloadConfig;
import io.slipway.workload.operator.WorkloadConfigs;
import io.slipway.workload.operator.WorkloadOperator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * bench/inplace's controller process: workload-svc's {@link StatefulSetReconciler} on JOSDK, built by
 * {@link WorkloadOperator#build} as the service builds it (leader election off: one instance; the service's default of
 * 8 reconcile threads), against the simulated cluster at {@code args[0]}. It runs in a JVM of its own so that its CPU
 * time is the process's, JIT, GC and HTTP client included, and nothing of the API server's or the kubelet's.
 *
 * <p>Its client counts every request it sends (a fabric8 interceptor, so only the controller's own requests), by verb
 * and resource. On each line {@code sample} on stdin it prints one line: {@code sample cpu=<ns> requests=<k>:<n>,...
 * threads=<group>:<ns>,...} (cumulative since start); it stops on {@code quit} or at the end of stdin.
 */
public final class InplaceController {
    private static final Map<String, LongAdder> REQUESTS = new ConcurrentHashMap<>();
    /** A pod whose requests are printed to stderr as they are sent (-Dbench.trace=web-7), to see one pod's sequence. */
    private static final String TRACE = System.getProperty("bench.trace");
    private static final long STARTED = System.nanoTime();
    private static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();

    private InplaceController() {
    }

    public static void main(String[] args) {
        String url = args[0];
        Operator[] operator = new Operator[1];
        KubernetesClient[] client = new KubernetesClient[1];
        BenchMain.run(() -> {
            client[0] = new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder().withMasterUrl(url).withNamespace("default").withWatchReconnectInterval(100).build())
                    .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("bench-request-count", new Counting()))
                    .build();
            operator[0] = WorkloadOperator.build(client[0], config(), "bench-inplace",
                    List.of(new StatefulSetReconciler(client[0], new DiffOnlyRecorder())), METRICS, leading -> {
                    });
            operator[0].start();
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                if (line.equals("sample")) {
                    System.out.println(sample());
                    System.out.flush();
                }
            }
        }, () -> {
            if (operator[0] != null) {
                BenchMain.quietly(operator[0]::stop);
                operator[0] = null;
            }
            if (client[0] != null) {
                BenchMain.quietly(client[0]::close);
                client[0] = null;
            }
        }, () -> false);
    }

    private static String sample() {
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        double reconciles = METRICS.getMeters().stream().filter(m -> m.getId().getName().contains("reconciliations.started"))
                .flatMap(m -> java.util.stream.StreamSupport.stream(m.measure().spliterator(), false)).mapToDouble(x -> x.getValue()).sum();
        StringBuilder line = new StringBuilder("sample cpu=").append(cpu).append(" reconciles=").append((long) reconciles).append(" requests=");
        new TreeMap<>(REQUESTS).forEach((k, v) -> line.append(k.replace(' ', '_')).append(':').append(v.sum()).append(','));
        line.append(" threads=");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> groups = new TreeMap<>();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long ns = threads.getThreadCpuTime(t.getThreadId());
            if (ns > 0) {
                groups.merge(group(t.getThreadName()), ns, Long::sum);
            }
        }
        groups.forEach((k, v) -> line.append(k.replace(' ', '_').replace(',', '_').replace(':', '_')).append(':').append(v).append(','));
        return line.toString();
    }

    /** A thread's name without its numbers: one group per pool. */
    private static String group(String name) {
        String g = name.replaceAll("[0-9]+", "#");
        return g.isEmpty() ? "unnamed" : g;
    }

    /**
     * The verb and resource of a request: {@code GET pods} (list), {@code GET pods/name} (get), {@code WATCH pods},
     * {@code PUT pods/status}, {@code PATCH statefulsets/status}, ...
     */
    static String classify(String method, java.net.URI uri) {
        String[] seg = uri.getPath().replaceAll("^/+", "").split("/");
        int i = seg.length > 0 && seg[0].equals("api") ? 2 : 3; // api/v1/... or apis/<group>/<version>/...
        if (seg.length > i + 2 && seg[i].equals("namespaces")) {
            i += 2;
        }
        String resource = i < seg.length ? seg[i] : "?";
        boolean named = seg.length > i + 1;
        String sub = seg.length > i + 2 ? "/" + seg[i + 2] : "";
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        if (method.equals("GET")) {
            if (query.contains("watch=true") || query.contains("watch=1")) {
                return "WATCH " + resource;
            }
            return named ? "GET " + resource + "/name" + sub : "LIST " + resource;
        }
        return method + " " + resource + sub;
    }

    private static final class Counting implements Interceptor {
        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            String kind = classify(request.method(), request.uri());
            REQUESTS.computeIfAbsent(kind, k -> new LongAdder()).increment();
            if (TRACE != null && (request.uri().getPath().endsWith("/" + TRACE) || request.uri().getPath().contains("/" + TRACE + "/"))) {
                System.err.printf("[controller] %8.3f s %s %s%n", (System.nanoTime() - STARTED) / 1e9, kind, request.uri().getPath());
            }
        }
    }

    /**
     * The ledger's diff without its database: what the service computes per look at a workload, the transitions
     * counted and dropped (the service's recorder writes them to PostgreSQL and publishes them, not measured here).
     */
    static final class DiffOnlyRecorder implements TransitionRecorder {
        private final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
        final AtomicLong transitions = new AtomicLong();

        @Override
        public List<Transition> record(Observation now) {
            Map<String, String> entries = seen.computeIfAbsent(now.uid(), u -> new ConcurrentHashMap<>());
            LedgerDiff diff = LedgerDiff.between(entries, now);
            entries.putAll(diff.entries());
            transitions.addAndGet(diff.transitions().size());
            return diff.transitions();
        }

        @Override
        public void forget(String uid) {
            seen.remove(uid);
        }
    }

    private static WorkloadConfig config() {
        return WorkloadConfigs.of(Map.of("slipway.workload.controllers", "true", "slipway.workload.cluster", "bench",
                "slipway.workload.leader-election.enabled", "false",
                "slipway.workload.reconcile-threads", Integer.toString(Integer.getInteger("bench.controller.threads", 8))));
    }
}
