package io.slipway.workload.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.workload.ledger.TransitionRecorder.Transition;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The ledger in PostgreSQL: a look at 1,200 pods (more than one batched statement) is written whole, so after the
 * cache is dropped (a restarted controller) the same look finds nothing new, and one changed pod is one transition.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
class WorkloadLedgerTest {
    static final int PODS = 1_200;

    @Inject
    WorkloadLedger ledger;

    static Observation look(String uid, Map<String, Observation.PodSeen> pods, String revision, String phase) {
        return new Observation(uid, "StatefulSet", "default", "big", 1, pods, revision, phase, "because");
    }

    @Test
    void aLookAtManyPodsIsWrittenWholeAndOnlyChangesAreReportedAfterARestart() {
        String uid = UUID.randomUUID().toString();
        Map<String, Observation.PodSeen> pods = new HashMap<>();
        for (int i = 0; i < PODS; i++) {
            pods.put("big-" + i, new Observation.PodSeen("uid-" + i, "big-r1"));
        }
        List<Transition> first = ledger.record(look(uid, pods, "big-r1", "RolloutFinished"));
        assertThat(first).filteredOn(t -> t.transition().equals("PodCreated")).hasSize(PODS);
        assertThat(first).extracting(Transition::transition).contains("RevisionCreated", "RolloutFinished");

        ledger.forget(uid);
        assertThat(ledger.record(look(uid, pods, "big-r1", "RolloutFinished"))).as("everything was stored").isEmpty();

        pods.put("big-1137", new Observation.PodSeen("uid-1137", "big-r2"));
        ledger.forget(uid);
        assertThat(ledger.record(look(uid, pods, "big-r1", "RolloutFinished"))).singleElement().satisfies(t -> {
            assertThat(t.transition()).isEqualTo("PodUpdatedInPlace");
            assertThat(t.pod()).isEqualTo("big-1137");
            assertThat(t.revision()).isEqualTo("big-r2");
        });
    }
}
