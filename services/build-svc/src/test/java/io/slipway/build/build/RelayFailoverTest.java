package io.slipway.build.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.relay.OutboxRelay;
import io.slipway.testkit.SlipwayInfraResource;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A second instance of the service stands by while the first relays, and takes over when the first stops. */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "build"))
class RelayFailoverTest {

    @Inject
    OutboxRelay first;

    @Inject
    BackboneConfig config;

    @Test
    void onlyOneInstanceRelaysAndAStandbyTakesOverWithoutDuplicates() {
        await().atMost(Duration.ofSeconds(30)).until(first::isLeader);
        OutboxRelay second = new OutboxRelay(config, new SimpleMeterRegistry());
        second.start();
        try {
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> first.isLeader() && !second.isLeader());

            String before = BuildRequestsTest.requestBuild("etcd:before-failover", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> BuildRequestsTest.eventsOf(before).size() == 1);

            first.stop();
            await().atMost(Duration.ofSeconds(30)).until(second::isLeader);
            String after = BuildRequestsTest.requestBuild("etcd:after-failover", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> BuildRequestsTest.eventsOf(after).size() == 1);
            // the standby resumed from the shared offsets: what the first published is not published again
            assertThat(BuildRequestsTest.eventsOf(before)).hasSize(1);
        } finally {
            second.stop();
            first.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(first::isLeader);
    }
}
