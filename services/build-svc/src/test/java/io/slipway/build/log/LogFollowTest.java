package io.slipway.build.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;

class LogFollowTest {
    @Test
    void pollsSlowerThanThePeriodStillGiveEveryLineInOrderAndTheStreamEndsWithTheLog() {
        Queue<LogFollow.Poll> polls = new ArrayDeque<>(List.of(new LogFollow.Poll("one\ntwo", false), new LogFollow.Poll("", false),
                new LogFollow.Poll("three", false), new LogFollow.Poll("", true)));
        // each poll takes five periods, as a database under load would
        List<String> lines = LogFollow.lines(Duration.ofMillis(10),
                        () -> Uni.createFrom().item(polls.poll()).onItem().delayIt().by(Duration.ofMillis(50)))
                .collect().asList().await().atMost(Duration.ofSeconds(10));
        assertThat(lines).containsExactly("one", "two", "three");
        assertThat(polls).isEmpty();
    }
}
