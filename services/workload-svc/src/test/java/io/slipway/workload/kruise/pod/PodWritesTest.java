package io.slipway.workload.kruise.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PodWritesTest {
    static KubernetesClientException answer(int code) {
        return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage("answered " + code).build());
    }

    @Test
    void aConflictAGoneObjectAndAGuardedPatchWhoseTestFailedAreLostRacesForTheNextLook() {
        try (PodWrites writes = new PodWrites()) {
            List<Supplier<String>> batch = List.of(() -> "written", () -> {
                throw answer(409);
            }, () -> {
                throw answer(404);
            }, () -> PodWrites.guarded(() -> {
                throw answer(422);
            }));

            var result = writes.run(batch);

            assertThat(result.written()).containsExactly("written");
            assertThat(result.conflicts()).isEqualTo(3);
        }
    }

    @Test
    void anUnguarded422AndOtherFailuresAreNotHidden() {
        try (PodWrites writes = new PodWrites()) {
            assertThatThrownBy(() -> writes.run(List.<Supplier<String>>of(() -> {
                throw answer(422);
            }))).isInstanceOf(KubernetesClientException.class).hasMessageContaining("answered 422");
            assertThatThrownBy(() -> writes.run(List.<Supplier<String>>of(() -> PodWrites.guarded(() -> {
                throw answer(500);
            })))).isInstanceOf(KubernetesClientException.class).hasMessageContaining("answered 500");
        }
    }
}
