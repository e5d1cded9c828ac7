package io.slipway.provision.staticpool;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.NodeState;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import io.slipway.provision.local.StateDirectory;
import io.slipway.provision.ssh.SshHealthCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes from a pool of existing machines (kind {@code static}): a create claims free machines, each checked over SSH
 * first (connect, log in, run {@code true}); a machine that fails is skipped and named in the answer's reason, and a
 * request the healthy free machines cannot meet comes back short ({@link Created#missing()}). Claims are files in the
 * state directory, written before the answer, keyed by the create's token: the same token answers the same machines,
 * also in a new JVM. Release gives a machine back to the pool; nothing on it is changed.
 */
public final class StaticProvider implements NodeProvider {
    public static final String KIND = "static";
    private static final Logger LOG = LoggerFactory.getLogger(StaticProvider.class);

    private final StateDirectory records;
    private final SshLogin login;
    private final Map<String, StaticHost> hosts = new LinkedHashMap<>();
    private final SshHealthCheck health;

    /**
     * A pool of {@code hosts} (claimed in that order) that log in with {@code login} unless they name their own;
     * claims kept in {@code stateDir}; a machine that has not passed its SSH check within {@code healthTimeout} per step
     * is skipped.
     */
    public StaticProvider(Path stateDir, SshLogin login, List<StaticHost> hosts, Duration healthTimeout) {
        this.login = login;
        if (login == null && hosts.isEmpty()) {
            throw new IllegalArgumentException("a static pool needs a login or at least one host");
        }
        for (StaticHost h : hosts) {
            if (h.login() == null && login == null) {
                throw new IllegalArgumentException("static host " + h.name() + " has no SSH login, and the pool has none");
            }
            if (this.hosts.putIfAbsent(h.name(), h) != null) {
                throw new IllegalArgumentException("static host " + h.name() + " is listed twice");
            }
        }
        this.records = new StateDirectory(stateDir);
        this.health = new SshHealthCheck(healthTimeout);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The pool's login, or the first machine's where the pool names none (a machine may have its own: {@link #login(String)}). */
    @Override
    public SshLogin login() {
        return login != null ? login : hosts.values().iterator().next().login();
    }

    @Override
    public SshLogin login(String nodeId) {
        StaticHost h = hosts.get(nodeId);
        return h != null && h.login() != null ? h.login() : login();
    }

    @Override
    public Created create(CreateRequest request) {
        return locked(() -> {
            Optional<Properties> earlier = StateDirectory.read(tokenFile(request.token()));
            if (earlier.isPresent()) {
                return answer(request, earlier.get());
            }
            // claims of this token without its record: a create that died between the two; they count, none is made twice
            List<String> claimed = new ArrayList<>(claimsOf(request.token()));
            List<String> unhealthy = new ArrayList<>();
            for (StaticHost h : hosts.values()) {
                if (claimed.size() >= request.count()) {
                    break;
                }
                if (claimOf(h.name()).isPresent()) {
                    continue;
                }
                Optional<String> problem = health.problem(h.address(), h.port(), login(h.name()));
                if (problem.isPresent()) {
                    LOG.warn("static pool: host {} skipped for pool {} role {}: {}", h.name(), request.poolId(), request.role(), problem.get());
                    unhealthy.add(h.name() + " (" + problem.get() + ")");
                    continue;
                }
                writeClaim(h.name(), request, claimed.size());
                claimed.add(h.name());
            }
            Properties record = tokenRecord(request, claimed, unhealthy);
            StateDirectory.write(tokenFile(request.token()), record);
            return answer(request, record);
        });
    }

    private Properties tokenRecord(CreateRequest request, List<String> claimed, List<String> unhealthy) {
        Properties p = new Properties();
        p.setProperty("pool", request.poolId());
        p.setProperty("role", request.role());
        p.setProperty("count", Integer.toString(request.count()));
        p.setProperty("hosts", String.join(",", claimed));
        int missing = request.count() - claimed.size();
        p.setProperty("missing", Integer.toString(missing));
        if (missing > 0) {
            p.setProperty("reason", "static pool has " + claimed.size() + " healthy free host(s) of " + request.count() + " asked for pool "
                    + request.poolId() + " role " + request.role() + (unhealthy.isEmpty() ? "" : "; unhealthy: " + String.join("; ", unhealthy)));
        }
        return p;
    }

    /** The answer a token's record gives, the same every time (a machine released since shows as terminated). */
    private Created answer(CreateRequest request, Properties record) throws IOException {
        if (!record.getProperty("pool").equals(request.poolId()) || !record.getProperty("role").equals(request.role())
                || Integer.parseInt(record.getProperty("count")) != request.count()) {
            throw new ProviderException(ProviderException.Kind.INVALID, "IdempotentParameterMismatch", "token " + request.token()
                    + " claimed " + record.getProperty("count") + " " + record.getProperty("role") + " host(s) of pool "
                    + record.getProperty("pool") + ", not " + request.count() + " " + request.role() + " of pool " + request.poolId());
        }
        List<ProviderNode> nodes = new ArrayList<>();
        String names = record.getProperty("hosts");
        for (String name : names.isEmpty() ? List.<String>of() : List.of(names.split(","))) {
            describeOne(name).ifPresent(nodes::add);
        }
        return new Created(nodes, Integer.parseInt(record.getProperty("missing")), record.getProperty("reason"));
    }

    @Override
    public Described describe(Collection<String> nodeIds) {
        return locked(() -> Described.byEach(nodeIds, this::describeOne));
    }

    /** A claimed machine is running; one of the pool that is not claimed (any more) is terminated, for its claimant. */
    private Optional<ProviderNode> describeOne(String name) throws IOException {
        StaticHost h = hosts.get(name);
        if (h == null) {
            return Optional.empty();
        }
        Optional<Properties> claim = claimOf(name);
        if (claim.isPresent()) {
            Properties c = claim.get();
            return Optional.of(new ProviderNode(name, c.getProperty("pool"), c.getProperty("role"), c.getProperty("token"),
                    Integer.parseInt(c.getProperty("launch-index")), NodeState.RUNNING, h.address(), h.port(),
                    Instant.parse(c.getProperty("claimed-at")), null));
        }
        return Optional.of(new ProviderNode(name, null, null, null, 0, NodeState.TERMINATED, h.address(), h.port(), null,
                "not claimed: released to the static pool"));
    }

    @Override
    public List<ProviderNode> listPooled() {
        return locked(() -> {
            List<ProviderNode> nodes = new ArrayList<>();
            for (String name : hosts.keySet()) {
                if (claimOf(name).isPresent()) {
                    describeOne(name).ifPresent(nodes::add);
                }
            }
            return nodes;
        });
    }

    @Override
    public void release(Collection<String> nodeIds) {
        locked(() -> {
            for (String id : nodeIds) {
                Optional<Properties> claim = claimOf(id);
                if (claim.isPresent()) {
                    Files.deleteIfExists(claimFile(id));
                    LOG.info("static pool: host {} released by pool {}", id, claim.get().getProperty("pool"));
                }
            }
            return null;
        });
    }

    @Override
    public void close() {
        health.close();
    }

    @Override
    public String toString() {
        return "StaticProvider[" + records.dir() + ", login=" + login + ", hosts=" + hosts.values() + "]";
    }

    private void writeClaim(String name, CreateRequest request, int launchIndex) throws IOException {
        Properties p = new Properties();
        p.setProperty("pool", request.poolId());
        p.setProperty("role", request.role());
        p.setProperty("token", request.token());
        p.setProperty("launch-index", Integer.toString(launchIndex));
        p.setProperty("claimed-at", Instant.now().toString());
        StateDirectory.write(claimFile(name), p);
    }

    private Optional<Properties> claimOf(String name) throws IOException {
        return StateDirectory.read(claimFile(name));
    }

    /** The machines claimed under {@code token}, by launch index. */
    private List<String> claimsOf(String token) throws IOException {
        Map<Integer, String> byIndex = new java.util.TreeMap<>();
        for (String name : hosts.keySet()) {
            Optional<Properties> c = claimOf(name);
            if (c.isPresent() && token.equals(c.get().getProperty("token"))) {
                byIndex.put(Integer.parseInt(c.get().getProperty("launch-index")), name);
            }
        }
        return List.copyOf(byIndex.values());
    }

    private Path claimFile(String name) {
        return records.dir().resolve("claims").resolve(StateDirectory.fileName(name) + ".properties");
    }

    private Path tokenFile(String token) {
        return records.dir().resolve("tokens").resolve(StateDirectory.fileName(token) + ".properties");
    }

    private <T> T locked(StateDirectory.Work<T> work) {
        try {
            return records.locked(work);
        } catch (UncheckedIOException e) {
            throw new ProviderException(ProviderException.Kind.TRANSIENT, "StaticClaimsUnreadable", e.getMessage(), e);
        }
    }

    /** The pool's machines (for a listing; their logins show no secret). */
    public List<StaticHost> hosts() {
        return List.copyOf(hosts.values());
    }
}
