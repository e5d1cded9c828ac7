package io.slipway.testkit.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.NodeState;
import io.slipway.provision.PoolPlan;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.VirtualTicker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an EC2-backed provider must do over a simulated region, whatever carries its calls: the {@code aws} provider
 * through the real SDK and the HTTP endpoint, the {@code simulated} provider directly.
 */
abstract class Ec2ProviderContract {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration VISIBLE = Duration.ofSeconds(5);

    VirtualTicker clock;
    SimulatedEc2 ec2;
    NodeProvider provider;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** A provider of the kind under test over {@code ec2}, listing pooled nodes in pages of {@code listPageSize}. */
    abstract NodeProvider providerOver(SimulatedEc2 ec2, VirtualTicker clock, int listPageSize, List<AutoCloseable> toClose);

    /** Strings no toString, message or log of the provider may show. */
    abstract List<String> secrets();

    void given(Ec2Options options) {
        given(options, 1000);
    }

    void given(Ec2Options options, int listPageSize) {
        clock = new VirtualTicker(START);
        ec2 = new SimulatedEc2(options, 7, clock);
        provider = providerOver(ec2, clock, listPageSize, toClose);
        toClose.add(provider);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    static CreateRequest request(String pool, String role, int count, int attempt) {
        return new CreateRequest(pool, role, "m5.large", "ami-0123456789abcdef0", count,
                CreateRequest.tokenFor(pool, role, 0, attempt), Map.of("team", "infra"));
    }

    static List<String> ids(List<ProviderNode> nodes) {
        return nodes.stream().map(ProviderNode::id).toList();
    }

    @Test
    void aCreateIsIdempotentOnItsTokenAndTagsItsNodes() {
        given(Ec2Options.defaults());
        CreateRequest request = request("pool-a", "master", 3, 0);

        Created first = provider.create(request);
        Created again = provider.create(request);

        assertThat(first.missing()).isZero();
        assertThat(first.nodes()).hasSize(3).allSatisfy(n -> {
            assertThat(n.poolId()).isEqualTo("pool-a");
            assertThat(n.role()).isEqualTo("master");
            assertThat(n.token()).isEqualTo(request.token());
            assertThat(n.state()).isEqualTo(NodeState.PENDING);
            assertThat(n.address()).matches("10\\.\\d+\\.\\d+\\.\\d+");
        });
        assertThat(first.nodes()).extracting(ProviderNode::launchIndex).containsExactly(0, 1, 2);
        assertThat(ids(again.nodes())).isEqualTo(ids(first.nodes()));
        assertThat(ec2.record().instances()).hasSize(3).allSatisfy(i -> {
            assertThat(i.poolId()).isEqualTo("pool-a");
            assertThat(i.role()).isEqualTo("master");
            assertThat(i.token()).isEqualTo(request.token());
        });
        assertThat(ec2.record().calls()).containsEntry("RunInstances", 2L);
    }

    @Test
    void otherParametersUnderAnEarlierTokenAreInvalid() {
        given(Ec2Options.defaults());
        CreateRequest request = request("pool-a", "node", 2, 0);
        provider.create(request);

        CreateRequest bigger = new CreateRequest("pool-a", "node", "m5.large", "ami-0123456789abcdef0", 3,
                request.token(), Map.of("team", "infra"));
        ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.create(bigger));

        assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID);
        assertThat(e.code()).isEqualTo("IdempotentParameterMismatch");
        assertThat(e.getMessage()).contains("pool-a", "node");
        assertThat(ec2.record().instances()).hasSize(2);
    }

    @Test
    void aMalformedImageIsInvalid() {
        given(Ec2Options.defaults());
        CreateRequest request = new CreateRequest("pool-a", "node", "m5.large", "ubuntu-24.04", 1,
                CreateRequest.tokenFor("pool-a", "node", 0, 0), Map.of());

        assertThatThrownBy(() -> provider.create(request)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID);
            assertThat(e.code()).isEqualTo("InvalidAMIID.Malformed");
        });
    }

    @Test
    void aJustCreatedNodeIsUnknownRatherThanAnErrorAndThenAppears() {
        given(Ec2Options.builder().visibilityDelayMax(VISIBLE).build());
        List<String> created = ids(provider.create(request("pool-a", "node", 2, 0)).nodes());

        Described early = provider.describe(created);
        assertThat(early.unknown()).isNotEmpty();
        assertThat(early.unknown()).allMatch(created::contains);
        assertThat(ids(early.nodes())).doesNotContainAnyElementsOf(early.unknown());

        clock.sleep(VISIBLE);
        Described later = provider.describe(created);
        assertThat(later.unknown()).isEmpty();
        assertThat(ids(later.nodes())).containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void describesGoAHundredIdsACall() {
        given(Ec2Options.builder().noThrottling().build());
        List<String> created = new ArrayList<>();
        created.addAll(ids(provider.create(request("pool-a", "node", 100, 0)).nodes()));
        created.addAll(ids(provider.create(request("pool-a", "node", 50, 1)).nodes()));
        clock.sleep(VISIBLE);
        long before = ec2.record().calls().getOrDefault("DescribeInstances", 0L);

        Described all = provider.describe(created);

        assertThat(all.unknown()).isEmpty();
        assertThat(all.nodes()).hasSize(150);
        assertThat(ec2.record().calls().get("DescribeInstances") - before).isEqualTo(2);
    }

    @Test
    void aCallBeyondTheQuotaIsThrottledAndTheBucketRefills() {
        given(Ec2Options.builder().nonMutating(new Quota(2, 0.5)).build());
        List<String> created = ids(provider.create(request("pool-a", "node", 1, 0)).nodes());
        provider.describe(created);
        provider.describe(created);

        assertThatThrownBy(() -> provider.describe(created)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.THROTTLED);
            assertThat(e.code()).isEqualTo("RequestLimitExceeded");
        });
        clock.sleep(Duration.ofSeconds(2));
        provider.describe(created);
        assertThat(ec2.record().throttled()).containsEntry("DescribeInstances", 1L);
    }

    @Test
    void partOfARequestBeyondCapacityIsMissingWithTheReasonAndNoneLeftIsACapacityError() {
        given(Ec2Options.builder().capacity(Map.of("m5.large", 2)).build());

        Created partial = provider.create(request("pool-a", "node", 5, 0));

        assertThat(partial.nodes()).hasSize(2);
        assertThat(partial.missing()).isEqualTo(3);
        assertThat(partial.missingReason()).contains("InsufficientInstanceCapacity");
        assertThatThrownBy(() -> provider.create(request("pool-a", "node", 3, 1)))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.CAPACITY);
                    assertThat(e.code()).isEqualTo("InsufficientInstanceCapacity");
                });
    }

    @Test
    void aCreateThatSucceededWhileTheClientSawAFailureIsNotMadeTwiceUnderItsToken() {
        given(Ec2Options.defaults());
        CreateRequest request = request("pool-a", "node", 3, 0);
        ec2.failNext("RunInstances", Ec2Fault.RESPONSE_LOST);

        assertThatThrownBy(() -> provider.create(request)).isInstanceOfSatisfying(ProviderException.class, e ->
                assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRANSIENT));
        assertThat(ec2.record().alive()).hasSize(3);

        Created again = provider.create(request);
        PoolPlan plan = new PoolPlan("pool-a", "simulated", List.of(new PoolPlan.RolePlan("node", 3, null, null)));
        assertThat(ids(again.nodes())).containsExactlyInAnyOrderElementsOf(
                ec2.record().alive().stream().map(SimulationRecord.InstanceLife::instanceId).toList());
        assertThat(ec2.record().duplicated(List.of(plan))).isEmpty();
        assertThat(ec2.record().leaked(List.of(plan))).isEmpty();
    }

    @Test
    void aCreateLostOnTheWayIsATransientTimeoutThatMadeNothing() {
        given(Ec2Options.defaults());
        ec2.failNext("RunInstances", Ec2Fault.REQUEST_LOST);

        assertThatThrownBy(() -> provider.create(request("pool-a", "node", 2, 0)))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRANSIENT);
                    assertThat(e.code()).isEqualTo("RequestTimeout");
                });
        assertThat(ec2.record().instances()).isEmpty();
        assertThat(provider.create(request("pool-a", "node", 2, 0)).nodes()).hasSize(2);
    }

    @Test
    void aServerErrorIsTransient() {
        given(Ec2Options.defaults());
        ec2.failNext("DescribeInstances", Ec2Fault.SERVER_ERROR);

        assertThatThrownBy(() -> provider.listPooled()).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRANSIENT);
            assertThat(e.code()).isEqualTo("InternalError");
        });
    }

    @Test
    void aNodeThatFailsToBootIsReportedTerminatedWithItsReason() {
        given(Ec2Options.builder().bootFailureRate(1.0).build());
        List<String> created = ids(provider.create(request("pool-a", "node", 1, 0)).nodes());
        clock.sleep(Duration.ofMinutes(10));

        ProviderNode node = provider.describe(created).nodes().get(0);
        assertThat(node.state()).isEqualTo(NodeState.TERMINATED);
        assertThat(node.stateReason()).isEqualTo("Server.InternalError");
    }

    @Test
    void releasedNodesShutDownAndEndTerminatedAndReleasingThemAgainIsFine() {
        given(Ec2Options.defaults());
        List<String> created = ids(provider.create(request("pool-a", "node", 2, 0)).nodes());
        clock.sleep(VISIBLE);

        provider.release(created);
        assertThat(provider.describe(created).nodes()).extracting(ProviderNode::state).containsOnly(NodeState.SHUTTING_DOWN);
        clock.sleep(Duration.ofSeconds(15));
        assertThat(provider.describe(created).nodes()).extracting(ProviderNode::state).containsOnly(NodeState.TERMINATED);
        provider.release(created);
        assertThat(ec2.record().alive()).isEmpty();
    }

    @Test
    void releasingNodesNotVisibleYetTerminatesTheRestAndAsksToBeRepeated() {
        given(Ec2Options.builder().visibilityDelayMax(VISIBLE).build());
        List<String> old = ids(provider.create(request("pool-a", "node", 1, 0)).nodes());
        clock.sleep(VISIBLE);
        List<String> fresh = ids(provider.create(request("pool-a", "node", 3, 1)).nodes());
        List<String> all = new ArrayList<>(old);
        all.addAll(fresh);

        ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.release(all));

        assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRANSIENT);
        assertThat(e.code()).isEqualTo("InvalidInstanceID.NotFound");
        assertThat(ec2.record().alive()).extracting(SimulationRecord.InstanceLife::instanceId).doesNotContainAnyElementsOf(old);
        clock.sleep(VISIBLE);
        provider.release(all);
        assertThat(ec2.record().alive()).isEmpty();
    }

    @Test
    void listPooledFindsEveryLiveTaggedNodeAcrossPages() {
        given(Ec2Options.defaults(), 5);
        List<String> live = new ArrayList<>();
        live.addAll(ids(provider.create(request("pool-a", "master", 3, 0)).nodes()));
        live.addAll(ids(provider.create(request("pool-a", "node", 6, 0)).nodes()));
        live.addAll(ids(provider.create(request("pool-b", "node", 3, 0)).nodes()));
        List<String> ended = ids(provider.create(request("pool-c", "node", 1, 0)).nodes());
        clock.sleep(VISIBLE);
        provider.release(ended);
        clock.sleep(Duration.ofSeconds(15));
        long before = ec2.record().calls().getOrDefault("DescribeInstances", 0L);

        List<ProviderNode> pooled = provider.listPooled();

        assertThat(ids(pooled)).containsExactlyInAnyOrderElementsOf(live);
        assertThat(pooled).allSatisfy(n -> assertThat(n.poolId()).isIn("pool-a", "pool-b"));
        assertThat(ec2.record().calls().get("DescribeInstances") - before).isEqualTo(3);
    }

    @Test
    void nodesKeepRunningWhenTheClientGoesAway() throws Exception {
        given(Ec2Options.defaults());
        List<String> created = ids(provider.create(request("pool-a", "node", 2, 0)).nodes());
        provider.close();
        clock.sleep(Duration.ofMinutes(5));

        assertThat(ec2.record().alive()).extracting(SimulationRecord.InstanceLife::instanceId)
                .containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void noSecretShowsInToStringsOrErrors() {
        given(Ec2Options.builder().nonMutating(new Quota(1, 0.01)).build());
        List<Throwable> failures = new ArrayList<>();
        CreateRequest request = request("pool-a", "node", 1, 0);
        provider.create(request);
        failures.add(catchThrowableOfType(ProviderException.class, () -> provider.create(
                new CreateRequest("pool-a", "node", "m5.large", "ami-0123456789abcdef0", 2, request.token(), Map.of()))));
        provider.listPooled();
        failures.add(catchThrowableOfType(ProviderException.class, () -> provider.listPooled()));

        List<String> shown = new ArrayList<>(List.of(provider.toString(), provider.login().toString()));
        for (Throwable f : failures) {
            for (Throwable t = f; t != null; t = t.getCause()) {
                shown.add(t.toString());
            }
        }
        for (String secret : secrets()) {
            assertThat(shown).noneMatch(s -> s.contains(secret));
        }
    }
}
