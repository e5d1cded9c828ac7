package io.slipway.build.build;

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
import io.slipway.events.build.BuildRequeued;
import io.slipway.events.build.BuildStarted;
import io.slipway.events.build.ImagePushed;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A Started build belongs to its worker while the worker's instance renews its lease (a heartbeat): another instance
 * leaves it alone, requeues it once the lease lapsed or the worker's process on this host has exited (with a
 * BuildRequeued event, once), and the worker that lost it can record nothing more. The test profile's lease is 12 s.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "build"))
class BuildLeaseTest {
    @Inject
    AgroalDataSource db;

    @Inject
    BuildRequests builds;

    @Test
    void aBuildWhoseLeaseLapsedIsRequeuedOnceWithAnEventAndRunAgainHere() throws Exception {
        String gone = "gone-host/4242/1700000000000";
        String id = started(gone, Instant.now().minus(Duration.ofMinutes(10)));

        List<String> types = await().atMost(Duration.ofSeconds(60)).until(() -> types(id), t -> t.contains("BuildStarted"));
        assertThat(types).startsWith("BuildRequeued", "BuildStarted").filteredOn("BuildRequeued"::equals).hasSize(1);
        BuildRequeued requeued = event(id, "BuildRequeued", BuildRequeued.class);
        assertThat(requeued.getWorker()).isEqualTo(gone);
        assertThat(requeued.getReason()).startsWith("its lease lapsed: no heartbeat since ");
        assertThat(event(id, "BuildStarted", BuildStarted.class).getWorker()).isNotEqualTo(gone).startsWith(WorkerIdentity.HOST + "/");
    }

    @Test
    void aBuildOfAWorkerElsewhereThatRenewsItsLeaseIsLeftAlone() throws Exception {
        String id = started("live-host/77/1700000000000", Instant.now());
        // four ticks of the requeue (every 3 s), all within the lease
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10)).until(() -> "Started".equals(column(id, "state"))
                && "live-host/77/1700000000000".equals(column(id, "worker")));
        assertThat(types(id)).isEmpty();
    }

    @Test
    void aBuildOfAProcessOfThisHostThatHasExitedIsRequeuedAtOnce() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        String worker = WorkerIdentity.of(WorkerIdentity.HOST, p.toHandle());
        p.destroy();
        await().atMost(Duration.ofSeconds(10)).until(() -> !p.isAlive());
        String id = started(worker, Instant.now()); // a fresh heartbeat: only the exit tells

        await().atMost(Duration.ofSeconds(10)).until(() -> types(id).contains("BuildRequeued"));
        assertThat(event(id, "BuildRequeued", BuildRequeued.class).getReason()).isEqualTo("its worker's process on this host has exited");
        assertThat(WorkerIdentity.exitedHere(WorkerIdentity.of(WorkerIdentity.HOST, ProcessHandle.current()))).as("this JVM").isFalse();
        assertThat(WorkerIdentity.exitedHere("another-host/1/1")).as("another host's: only its lease tells").isFalse();
    }

    @Test
    void aWorkerThatNoLongerHoldsTheBuildCanRecordNothingMore() throws Exception {
        String id = started("holder-host/1/1700000000000", Instant.now());
        ImagePushed pushed = ImagePushed.newBuilder().setBuildId(id).setReference("registry.local/x:v1").setDigest("sha256:" + "0".repeat(64))
                .setBlobsUploaded(1).setBlobsSkipped(0).build();
        assertThatThrownBy(() -> BlockingCalls.await(() -> builds.pushed(id, "other-host/2/1700000000000", pushed)))
                .isInstanceOf(LeaseLost.class).hasMessageContaining("is no longer run by other-host/2/1700000000000").hasMessageContaining("holder-host/1/1700000000000 runs it now");
        assertThat(column(id, "last_step")).isEqualTo("started");
        BlockingCalls.await(() -> builds.pushed(id, "holder-host/1/1700000000000", pushed));
        assertThat(column(id, "last_step")).isEqualTo("pushed registry.local/x:v1");
    }

    /** A build row as a claim leaves it, for {@code worker}, with its last heartbeat at {@code heartbeat}. */
    private String started(String worker, Instant heartbeat) throws SQLException {
        String id = "lease-" + UUID.randomUUID();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into build (id, image, kubefile, context, state, requested_by, requested_at, started_at, heartbeat_at, worker,
                                   no_cache, push, strict, images_unresolved, layers_built, layers_cached, last_step)
                values (?, 'lease/test:v1', 'Kubefile', 'git+https://127.0.0.1:9/repo.git#main', 'Started', 'test-operator', now(), now(),
                        ?, ?, false, false, false, 0, 0, 0, 'started')""")) {
            s.setString(1, id);
            s.setTimestamp(2, Timestamp.from(heartbeat));
            s.setString(3, worker);
            s.executeUpdate();
        }
        return id;
    }

    private String column(String id, String column) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("select " + column + " from build where id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private static List<String> types(String id) {
        return KafkaTopics.readAll("slipway.build.events").stream().filter(r -> id.equals(r.key()))
                .map(r -> KafkaTopics.header(r, EventHeaders.EVENT_TYPE)).toList();
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> T event(String id, String type, Class<T> as) {
        ConsumerRecord<String, byte[]> r = KafkaTopics.readAll("slipway.build.events").stream().filter(x -> id.equals(x.key()))
                .filter(x -> type.equals(KafkaTopics.header(x, EventHeaders.EVENT_TYPE))).findFirst().orElseThrow();
        return EventCodec.released().decode(r.value(), as);
    }
}
