package io.slipway.deploy.flow;

import static io.slipway.deploy.flow.ClusterCalls.apply;
import static io.slipway.deploy.flow.ClusterCalls.awaitSettled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.work.WorkerIdentity;
import io.slipway.deploy.cluster.ClaimLost;
import io.slipway.deploy.cluster.HostStepJournal;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A pending operation belongs to the worker that claimed it while that worker's instance renews its lease: another
 * instance leaves it alone, releases it to resume once the lease lapsed or the worker's process on this host has exited,
 * and the worker that lost it can record no step. The test profile's lease is 12 s. The clusters here fail at once
 * (their image is in no store), which is all a claim needs.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "deploy"))
class DeployLeaseTest {
    @Inject
    AgroalDataSource db;

    @Inject
    HostStepJournal journal;

    @Test
    void anOperationWhoseLeaseLapsedIsReleasedAndRunAgainHere() throws Exception {
        String name = settledCluster();
        int endings = terminalEvents(name);
        hold(name, "gone-host/4242/1700000000000", "now() - interval '10 minutes'");

        await().atMost(Duration.ofSeconds(60)).until(() -> terminalEvents(name) > endings);
        awaitSettled(name);
        assertThat(column(name, "worker")).isNull();
    }

    @Test
    void anOperationOfAWorkerElsewhereThatRenewsItsLeaseIsLeftAlone() throws Exception {
        String name = settledCluster();
        int endings = terminalEvents(name);
        hold(name, "live-host/77/1700000000000", "now()");
        // four ticks of the release (every 3 s), all within the lease
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10))
                .until(() -> "live-host/77/1700000000000".equals(column(name, "worker")));
        release(name);
        assertThat(terminalEvents(name)).isEqualTo(endings);
    }

    @Test
    void anOperationOfAProcessOfThisHostThatHasExitedIsReleasedAtOnce() throws Exception {
        String name = settledCluster();
        int endings = terminalEvents(name);
        Process p = new ProcessBuilder("sleep", "60").start();
        String worker = WorkerIdentity.of(WorkerIdentity.HOST, p.toHandle());
        p.destroy();
        await().atMost(Duration.ofSeconds(10)).until(() -> !p.isAlive());
        hold(name, worker, "now()"); // a fresh heartbeat: only the exit tells

        await().atMost(Duration.ofSeconds(30)).until(() -> terminalEvents(name) > endings);
    }

    @Test
    void aWorkerThatNoLongerHoldsTheOperationCanRecordNoStep() throws Exception {
        String name = settledCluster();
        hold(name, "holder-host/1/1700000000000", "now()");
        try {
            long generation = Long.parseLong(column(name, "generation"));
            assertThatThrownBy(() -> BlockingCalls.await(() -> journal.started(name, generation, "other-host/2/1700000000000", "127.0.0.1",
                    "preflight", "r1"))).isInstanceOf(ClaimLost.class).hasMessageContaining("holder-host/1/1700000000000 holds it now");
            assertThat(stepRows(name, "other")).isZero();
            BlockingCalls.await(() -> journal.started(name, generation, "holder-host/1/1700000000000", "127.0.0.1", "preflight", "r1"));
            assertThat(stepRows(name, "r1")).isEqualTo(1);
        } finally {
            release(name);
        }
    }

    /** A cluster whose first operation has ended (Failed: its image is in no store). */
    private static String settledCluster() {
        String name = "lease-" + UUID.randomUUID().toString().substring(0, 8);
        io.restassured.response.Response applied = apply("""
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: %s
                spec:
                  image: lease/none:v1
                  ssh: {user: root, passwd: Lease-Test-1}
                  trustOnFirstUse: true
                  hosts:
                    - ips: [127.0.0.1]
                      roles: [master]
                """.formatted(name));
        assertThat(applied.statusCode()).as(applied.body().asString()).isEqualTo(202);
        awaitSettled(name);
        await().atMost(Duration.ofSeconds(30)).until(() -> terminalEvents(name) == 1);
        return name;
    }

    /** What a claim by {@code worker} leaves: the operation pending again and held, last renewed at {@code heartbeat}. */
    private void hold(String name, String worker, String heartbeat) throws SQLException {
        update("update deploy_cluster set pending = true, worker = ?, heartbeat_at = " + heartbeat + " where name = ?", worker, name);
    }

    private void release(String name) throws SQLException {
        update("update deploy_cluster set pending = false, worker = null, heartbeat_at = null where name = ?", name);
    }

    private void update(String sql, String... args) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private String column(String name, String column) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("select " + column + " from deploy_cluster where name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private int stepRows(String name, String revision) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("select count(*) from deploy_host_step where cluster = ? and revision = ?")) {
            s.setString(1, name);
            s.setString(2, revision);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    /** How many times an operation of the cluster has ended (a ClusterReady, ClusterDegraded or ClusterFailed event). */
    private static int terminalEvents(String name) {
        List<String> ends = List.of("ClusterReady", "ClusterDegraded", "ClusterFailed");
        return (int) KafkaTopics.readAll("slipway.deploy.events").stream().filter(r -> name.equals(r.key()))
                .filter(r -> ends.contains(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))).count();
    }
}
