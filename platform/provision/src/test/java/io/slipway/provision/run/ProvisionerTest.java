package io.slipway.provision.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.ForwardingProvider;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.PoolPlan;
import io.slipway.provision.PoolPlan.RolePlan;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderException.Kind;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.VirtualTicker;
import io.slipway.provision.pace.TokenBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProvisionerTest {
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    private final VirtualTicker ticker = new VirtualTicker(t0);
    private final FakeProvider provider = new FakeProvider(ticker);
    private final TokenBucket bucket = new TokenBucket(ticker, 10, 5);
    private final ProvisionOptions options = ProvisionOptions.defaults().withSeed(1).withDeadline(Duration.ofMinutes(10));
    private final PoolPlan plan = new PoolPlan("pool-a", "fake", List.of(
            new RolePlan("master", 3, "m5.large", "ami-1"), new RolePlan("node", 6, "m5.xlarge", "ami-1")));

    private Provisioner provisioner() {
        return new Provisioner(provider, provider, ticker, bucket, options);
    }

    @Test
    void oneCreatePerRoleAndDescribesThatCoverEveryPendingNode() throws Exception {
        RecordingListener listener = new RecordingListener();
        Provisioner provisioner = provisioner();
        List<ProviderNode> nodes = provisioner.run(plan, List.of(), listener);

        assertThat(nodes).hasSize(9);
        assertThat(listener.poolReady).hasSize(9);
        assertThat(listener.hostKeys).hasSize(9).allSatisfy((id, key) -> assertThat(key).endsWith(id));
        assertThat(provider.calls("create")).isEqualTo(2);
        assertThat(provider.made).isEqualTo(9);
        // both creates are journaled before either goes out
        assertThat(listener.events.subList(0, 4)).containsExactly("creating master x3", "creating node x6",
                "created master x3", "created node x6");
        // never a poll per node: the first describes carry every pending id
        assertThat(provider.describeSizes.get(0)).isEqualTo(9);
        assertThat(provider.calls("describe")).isLessThan(9 * 3 - 2);
        assertThat(provisioner.stats().calls(ProvisionStats.DESCRIBE)).isEqualTo(provider.calls("describe"));
        assertThat(provisioner.stats().throttled()).isZero();
        // ready within 10 % of when the slowest node's SSH server answered
        Duration floor = Duration.between(t0, provider.lastSshReady());
        Duration took = Duration.between(t0, ticker.now());
        assertThat(took).isBetween(floor, Duration.ofMillis((long) (floor.toMillis() * 1.1)));
    }

    @Test
    void aRunKilledRightAfterItsCreateResumesWithoutASecondInstance() throws Exception {
        RecordingListener first = new RecordingListener();
        first.crashAtCreated = 1;
        assertThatThrownBy(() -> provisioner().run(plan, List.of(), first)).isInstanceOf(RecordingListener.Crash.class);
        assertThat(provider.made).isEqualTo(3);
        assertThat(first.journal).hasSize(2);

        ticker.sleep(Duration.ofSeconds(30)); // the restart takes a while; the first nodes keep booting
        RecordingListener second = new RecordingListener();
        List<ProviderNode> nodes = provisioner().run(plan, first.journal, second);

        assertThat(nodes).hasSize(9);
        assertThat(provider.made).isEqualTo(9);
        assertThat(provider.alive("pool-a")).isEqualTo(9);
        // both journaled creates were repeated under their tokens (the master one answered what it made); none new
        assertThat(provider.createTokens).containsExactly(first.journal.get(0).token(), first.journal.get(0).token(),
                first.journal.get(1).token());
        assertThat(second.journal).isEmpty();
        assertThat(nodes.stream().map(ProviderNode::id).distinct()).hasSize(9);
    }

    @Test
    void aRunKilledWhileTheCreateWasInFlightMakesNoneTwice() throws Exception {
        // the provider makes the nodes, and the process dies before the answer arrives
        NodeProvider dyingMidCall = new ForwardingProvider(provider) {
            @Override
            public Created create(CreateRequest request) {
                super.create(request);
                throw new RecordingListener.Crash();
            }
        };
        RecordingListener first = new RecordingListener();
        assertThatThrownBy(() -> new Provisioner(dyingMidCall, provider, ticker, bucket, options).run(plan, List.of(), first))
                .isInstanceOf(RecordingListener.Crash.class);
        assertThat(provider.made).isEqualTo(3);

        RecordingListener second = new RecordingListener();
        List<ProviderNode> nodes = provisioner().run(plan, first.journal, second);
        assertThat(nodes).hasSize(9);
        assertThat(provider.made).isEqualTo(9);
        assertThat(provider.alive("pool-a")).isEqualTo(9);
        assertThat(second.journal).isEmpty();
    }

    @Test
    void aResumeDoesNotRepeatAnOlderCreateThatALaterOneReplaced() throws Exception {
        PoolPlan three = new PoolPlan("pool-a", "fake", List.of(new RolePlan("node", 3, "m5.large", "ami-1")));
        provider.createFailures.add(new ProviderException(Kind.CAPACITY, "InsufficientInstanceCapacity", "none now"));
        RecordingListener first = new RecordingListener();
        first.crashAtCreated = 1;
        assertThatThrownBy(() -> provisioner().run(three, List.of(), first)).isInstanceOf(RecordingListener.Crash.class);
        assertThat(first.journal).hasSize(2);
        assertThat(provider.made).isEqualTo(3);

        RecordingListener second = new RecordingListener();
        List<ProviderNode> nodes = provisioner().run(three, first.journal, second);

        // the capacity-refused create was never sent again: sent now, it would have made three nodes nobody wants
        assertThat(nodes).hasSize(3);
        assertThat(provider.made).isEqualTo(3);
        assertThat(provider.createTokens).containsExactly(first.journal.get(0).token(), first.journal.get(1).token(),
                first.journal.get(1).token());
        assertThat(second.journal).isEmpty();
    }

    @Test
    void aResumeRepeatsOlderCreatesWhileTheRoleStillMissesNodes() throws Exception {
        PoolPlan three = new PoolPlan("pool-a", "fake", List.of(new RolePlan("node", 3, "m5.large", "ami-1")));
        provider.capacity = 2;
        RecordingListener first = new RecordingListener() {
            @Override
            public void shortfall(CreateRequest request, int missing, String reason) {
                super.shortfall(request, missing, reason);
                provider.capacity = 10;
            }
        };
        first.crashAtCreated = 2;
        assertThatThrownBy(() -> provisioner().run(three, List.of(), first)).isInstanceOf(RecordingListener.Crash.class);
        assertThat(first.journal).extracting(CreateRequest::count).containsExactly(3, 1);
        assertThat(provider.made).isEqualTo(3);

        RecordingListener second = new RecordingListener();
        List<ProviderNode> nodes = provisioner().run(three, first.journal, second);

        assertThat(nodes).hasSize(3);
        assertThat(provider.made).isEqualTo(3);
        assertThat(second.journal).isEmpty();
        assertThat(provider.alive("pool-a")).isEqualTo(3);
    }

    @Test
    void aTimedOutCreateIsRepeatedUnderTheSameToken() throws Exception {
        provider.loseNextCreateResponse = true;
        RecordingListener listener = new RecordingListener();
        Provisioner provisioner = provisioner();
        provisioner.run(plan, List.of(), listener);

        assertThat(provider.made).isEqualTo(9);
        // the master create's answer was lost; it went out again under its token after the node create
        assertThat(provider.createTokens).hasSize(3);
        assertThat(provider.createTokens.get(2)).isEqualTo(provider.createTokens.get(0));
        assertThat(listener.journal).hasSize(2);
        assertThat(provisioner.stats().retries()).isEqualTo(1);
    }

    @Test
    void aNodeNotVisibleYetIsNotTakenForGone() throws Exception {
        provider.invisibleFor = Duration.ofSeconds(15);
        RecordingListener listener = new RecordingListener();
        provisioner().run(plan, List.of(), listener);

        assertThat(provider.made).isEqualTo(9);
        assertThat(provider.calls("create")).isEqualTo(2);
        assertThat(listener.failures).isEmpty();
        assertThat(listener.poolReady).hasSize(9);
    }

    @Test
    void aNodeNeverVisibleIsReleasedAndReplacedAfterTheWindow() throws Exception {
        provider.invisibleFor = Duration.ofMinutes(3);
        PoolPlan one = new PoolPlan("pool-a", "fake", List.of(new RolePlan("node", 1, "m5.large", "ami-1")));
        RecordingListener listener = new RecordingListener();
        Provisioner provisioner = new Provisioner(provider, provider, ticker, bucket,
                options.withVisibilityWindow(Duration.ofSeconds(60)));
        assertThatThrownBy(() -> provisioner.run(one, List.of(), listener)).isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("role node: 1 of 1 not ready")
                .hasMessageContaining("still unknown to the provider 60 s after its create");
        assertThat(listener.failures).isNotEmpty().allSatisfy(f -> assertThat(f).contains("still unknown"));
        // each lost id was released, so none is left alive when it turns up later
        assertThat(provider.alive("pool-a")).isLessThanOrEqualTo(1);
    }

    @Test
    void throttledCallsBackOffAndRepeatTheSameRequest() throws Exception {
        for (int i = 0; i < 3; i++) {
            provider.createFailures.add(new ProviderException(Kind.THROTTLED, "RequestLimitExceeded", "slow down"));
        }
        provider.describeFailures.add(new ProviderException(Kind.THROTTLED, "RequestLimitExceeded", "slow down"));
        RecordingListener listener = new RecordingListener();
        Provisioner provisioner = provisioner();
        provisioner.run(plan, List.of(), listener);

        assertThat(provider.made).isEqualTo(9);
        assertThat(provider.createTokens).hasSize(5);
        assertThat(new HashSet<>(provider.createTokens)).containsExactlyInAnyOrderElementsOf(
                listener.journal.stream().map(CreateRequest::token).toList());
        assertThat(listener.journal).hasSize(2);
        assertThat(provisioner.stats().throttled()).isEqualTo(4);
        assertThat(provisioner.stats().retries()).isEqualTo(4);
        // backoff with a 1 s base: the three throttled creates cost at least 1 + 1 + 1 s before the first answer
        assertThat(listener.poolReady).hasSize(9);
    }

    @Test
    void partialCapacityCreatesWhatItCanAndAsksForTheRestUnderANewToken() throws Exception {
        provider.capacity = 7;
        RecordingListener listener = new RecordingListener() {
            @Override
            public void shortfall(CreateRequest request, int missing, String reason) {
                super.shortfall(request, missing, reason);
                provider.capacity = 100; // capacity comes back later
            }
        };
        Provisioner provisioner = provisioner();
        List<ProviderNode> nodes = provisioner.run(plan, List.of(), listener);

        assertThat(nodes).hasSize(9);
        assertThat(provider.made).isEqualTo(9);
        assertThat(listener.shortfalls).containsExactly("node 2 InsufficientInstanceCapacity");
        assertThat(listener.journal).extracting(CreateRequest::count).containsExactly(3, 6, 2);
        assertThat(listener.journal.get(2).token()).isNotEqualTo(listener.journal.get(1).token());
        assertThat(provisioner.stats().shortfalls()).isEqualTo(1);
    }

    @Test
    void noCapacityAtAllFailsAtTheDeadlineNamingWhatIsMissingAndWhy() {
        provider.capacity = 3;
        Provisioner provisioner = new Provisioner(provider, provider, ticker, bucket, options.withDeadline(Duration.ofMinutes(2)));
        assertThatThrownBy(() -> provisioner.run(plan, List.of(), new RecordingListener()))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("pool pool-a")
                .hasMessageContaining("role node: 6 of 6 not ready (0 booting, 0 waiting for SSH, 6 not created)")
                .hasMessageContaining("InsufficientInstanceCapacity")
                .hasMessageNotContaining("role master");
        assertThat(provider.made).isEqualTo(3);
        // backing off: far fewer creates than one per second over two minutes
        assertThat(provider.calls("create")).isLessThan(20);
    }

    @Test
    void anInvalidRequestFailsAtOnceNamingPoolRoleAndCode() {
        provider.createFailures.add(new ProviderException(Kind.INVALID, "InvalidAMIID.Malformed", "ami-1 is not an image id"));
        assertThatThrownBy(() -> provisioner().run(plan, List.of(), new RecordingListener()))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("pool pool-a")
                .hasMessageContaining("3 master node(s)")
                .hasMessageContaining("InvalidAMIID.Malformed")
                .satisfies(e -> assertThat(((ProvisioningException) e).role()).isEqualTo("master"));
        assertThat(provider.calls("create")).isEqualTo(1);
        assertThat(ticker.now()).isEqualTo(t0);
    }

    @Test
    void aNodeThatDiesWhileBootingIsReportedAndReplaced() throws Exception {
        provider.dieWhileBooting.add(4);
        RecordingListener listener = new RecordingListener();
        List<ProviderNode> nodes = provisioner().run(plan, List.of(), listener);

        assertThat(nodes).hasSize(9).extracting(ProviderNode::id).doesNotContain("i-4");
        assertThat(listener.failures).singleElement().asString().startsWith("i-4: ").contains("Server.InternalError");
        assertThat(provider.made).isEqualTo(10);
        assertThat(listener.journal).extracting(CreateRequest::count).containsExactly(3, 6, 1);
    }

    @Test
    void callsGoThroughTheSharedBucket() throws Exception {
        TokenBucket slow = new TokenBucket(ticker, 1, 0.5);
        Provisioner provisioner = new Provisioner(provider, provider, ticker, slow, options);
        provisioner.run(plan, List.of(), new RecordingListener());
        // the second create waited for a token: 2 s at 0.5/s
        assertThat(slow.waits()).isGreaterThan(0);
        assertThat(provisioner.stats().throttled()).isZero();
    }

    @Test
    void releaseRemovesEveryNodeOfThePoolAlsoAfterAHalfDoneRun() throws Exception {
        RecordingListener crashing = new RecordingListener();
        crashing.crashAtCreated = 1;
        assertThatThrownBy(() -> provisioner().run(plan, List.of(), crashing)).isInstanceOf(RecordingListener.Crash.class);
        PoolPlan other = new PoolPlan("pool-b", "fake", List.of(new RolePlan("node", 2, "m5.large", "ami-1")));
        provisioner().run(other, List.of(), new RecordingListener());
        RecordingListener resumed = new RecordingListener();
        provisioner().run(plan, crashing.journal, resumed);
        assertThat(provider.alive("pool-a")).isEqualTo(9);

        Provisioner provisioner = provisioner();
        provisioner.release("pool-a");

        assertThat(provider.alive("pool-a")).isZero();
        assertThat(provider.alive("pool-b")).isEqualTo(2);
        assertThat(provisioner.stats().calls(ProvisionStats.RELEASE)).isEqualTo(1);
    }

    @Test
    void releaseRetriesThrottledCalls() throws Exception {
        provisioner().run(plan, List.of(), new RecordingListener());
        FakeProvider throttling = provider;
        Provisioner provisioner = new Provisioner(new ForwardingProvider(throttling) {
            private int failures = 2;

            @Override
            public void release(java.util.Collection<String> ids) {
                if (failures-- > 0) {
                    throw new ProviderException(Kind.THROTTLED, "RequestLimitExceeded", "slow down");
                }
                super.release(ids);
            }
        }, provider, ticker, bucket, options);
        provisioner.release("pool-a", Set.of());
        assertThat(provider.alive("pool-a")).isZero();
        assertThat(provisioner.stats().throttled()).isEqualTo(2);
    }
}
