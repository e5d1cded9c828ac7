package io.slipway.testkit.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated EC2 endpoint on 127.0.0.1: the EC2 Query protocol subset the {@code aws} provider uses (RunInstances,
 * DescribeInstances, TerminateInstances as form-encoded POSTs, XML answers in the EC2 namespace, errors as
 * {@code <Response><Errors><Error>} with a RequestID) over a {@link SimulatedEc2}, so the real AWS SDK client can be
 * pointed at it with an endpoint override.
 *
 * <p>Requests must carry a SigV4 {@code Authorization} header for the configured access key id ({@code AuthFailure}
 * otherwise); the signature itself is not checked, and no secret is known here. A response the simulation loses
 * after doing the work is answered 503 {@code RequestTimeout} rather than by dropping the connection, because the
 * JDK's HttpURLConnection may silently send a POST again on a dropped keep-alive connection, which would hide the
 * fault from the client under test.
 */
public final class SimulatedEc2Endpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedEc2Endpoint.class);

    private final SimulatedEc2 ec2;
    private final String accessKeyId;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

    private SimulatedEc2Endpoint(SimulatedEc2 ec2, String accessKeyId) throws IOException {
        this.ec2 = ec2;
        this.accessKeyId = accessKeyId;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Serves {@code ec2} to clients signing as {@code accessKeyId}, on a free port of 127.0.0.1. */
    public static SimulatedEc2Endpoint start(SimulatedEc2 ec2, String accessKeyId) {
        try {
            SimulatedEc2Endpoint endpoint = new SimulatedEc2Endpoint(ec2, accessKeyId);
            endpoint.server.start();
            return endpoint;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1 for the simulated EC2 endpoint", e);
        }
    }

    /** What to give the SDK as endpoint override. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public SimulatedEc2 ec2() {
        return ec2;
    }

    /**
     * The next {@code action} is performed, then its answer is held until {@link Hold#release()}: the client's work is
     * done on the server while the client still waits, the moment a crash test kills the client.
     */
    public Hold holdAfterNext(String action) {
        Hold hold = new Hold();
        holds.put(action, hold);
        return hold;
    }

    /** An answer held back after its action was performed. */
    public static final class Hold {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Whether the action was performed and its answer is being held. */
        public boolean reached() {
            return reached.getCount() == 0;
        }

        /** Lets the answer go (to a client that may be gone by then). */
        public void release() {
            released.countDown();
        }

        private void hold() {
            reached.countDown();
            try {
                released.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        holds.values().forEach(Hold::release);
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Ec2QueryRequest request = Ec2QueryRequest.parse(body);
            int status = 200;
            String xml;
            try {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    throw Ec2Error.client("InvalidAction", "The simulated EC2 endpoint only answers POSTed Query requests");
                }
                authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
                xml = perform(request, requestId);
                Hold hold = holds.remove(String.valueOf(request.get("Action")));
                if (hold != null) {
                    hold.hold();
                }
            } catch (Ec2Error e) {
                LOG.debug("simulated EC2 answers {} {} to {}", e.httpStatus(), e.code(), request.get("Action"));
                status = e.httpStatus();
                xml = Ec2Xml.error(requestId, e.code(), e.getMessage());
            } catch (RuntimeException e) {
                // a request this simulation cannot read is its own bug; the client still gets an answer, not a reset
                LOG.warn("simulated EC2 failed on {} (request {})", request.get("Action"), requestId, e);
                status = 500;
                xml = Ec2Xml.error(requestId, "InternalError", "The simulated EC2 failed on this request: " + e);
            }
            byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private void authenticate(String authorization) {
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")
                || !authorization.contains("Credential=" + accessKeyId + "/")) {
            throw new Ec2Error("AuthFailure", 401, "AWS was not able to validate the provided access credentials");
        }
    }

    private String perform(Ec2QueryRequest q, String requestId) {
        String action = q.get("Action");
        if (action == null) {
            throw Ec2Error.client("MissingAction", "The request must contain the parameter Action");
        }
        return switch (action) {
            case "RunInstances" -> Ec2Xml.runInstances(requestId, ec2.runInstances(runInstances(q)));
            case "DescribeInstances" -> Ec2Xml.describeInstances(requestId, ec2.describeInstances(describeInstances(q)));
            case "TerminateInstances" -> Ec2Xml.terminateInstances(requestId, ec2.terminateInstances(q.list("InstanceId")));
            default -> throw Ec2Error.client("InvalidAction", "The action " + action + " is not valid for this web service.");
        };
    }

    private static RunInstances runInstances(Ec2QueryRequest q) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int s = 1; s <= q.count("TagSpecification"); s++) {
            String spec = "TagSpecification." + s;
            if ("instance".equals(q.get(spec + ".ResourceType"))) {
                for (int t = 1; t <= q.count(spec + ".Tag"); t++) {
                    String value = q.get(spec + ".Tag." + t + ".Value");
                    tags.put(q.get(spec + ".Tag." + t + ".Key"), value == null ? "" : value);
                }
            }
        }
        Integer min = q.integer("MinCount");
        Integer max = q.integer("MaxCount");
        if (min == null || max == null) {
            throw Ec2Error.client("MissingParameter", "The request must contain the parameters MinCount and MaxCount");
        }
        return new RunInstances(q.get("ImageId"), q.get("InstanceType"), min, max, tags, q.get("KeyName"),
                q.get("SubnetId"), q.list("SecurityGroupId"), q.get("ClientToken"));
    }

    private static DescribeInstances describeInstances(Ec2QueryRequest q) {
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (int f = 1; f <= q.count("Filter"); f++) {
            String name = q.get("Filter." + f + ".Name");
            filters.computeIfAbsent(name, n -> new ArrayList<>()).addAll(q.list("Filter." + f + ".Value"));
        }
        return new DescribeInstances(q.list("InstanceId"), filters, q.integer("MaxResults"), q.get("NextToken"));
    }
}
