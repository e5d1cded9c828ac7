package io.slipway.testkit.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class FuzzerTest {

    @Test
    void theParsersOwnErrorIsARefusalAndAnyOtherExceptionACrash() {
        Fuzzer.Report report = Fuzzer.text("digits", "12345", "678").run(300, 1, input -> {
            if (input.isEmpty()) {
                throw new NullPointerException("empty");
            }
            Long.parseLong(input);
        }, NumberFormatException.class);
        assertThat(report.inputs()).isEqualTo(300);
        assertThat(report.accepted()).isPositive();
        assertThat(report.refused()).isPositive();
        assertThat(report.accepted() + report.refused() + report.crashes().size()).isEqualTo(300);
        assertThat(report.crashes()).isNotEmpty().allSatisfy(c -> assertThat(c).contains("NullPointerException").contains("input: \"\""));
    }

    @Test
    void theSameSeedGivesTheSameInputs() {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        Fuzzer<String> fuzzer = Fuzzer.text("same", "key: value\nlist: [a, b]\n").dictionary("{{", "- ", ": ");
        fuzzer.run(200, 42, first::add);
        fuzzer.run(200, 42, second::add);
        assertThat(first).hasSize(200).isEqualTo(second);
        assertThat(first.stream().distinct().count()).isGreaterThan(100);
    }

    @Test
    void anInputThatDoesNotEndIsAHangAndTheRestStillRun() {
        CountDownLatch never = new CountDownLatch(1);
        Fuzzer.Report report = Fuzzer.text("hang", "ok", "loop").timeLimit(Duration.ofMillis(200)).run(20, 3, input -> {
            if (input.equals("loop")) {
                never.await();
            }
        });
        assertThat(report.crashes()).hasSize(1).first().asString().contains("input 1").contains("still running after 200 ms");
        assertThat(report.accepted()).isEqualTo(19);
    }

    @Test
    void anInputThatAllocatesBeyondTheLimitIsABlowUp() {
        List<byte[]> kept = new ArrayList<>();
        Fuzzer.Report report = Fuzzer.text("memory", "small", "huge").memoryLimit(8L << 20).run(2, 5, input -> {
            if (input.equals("huge")) {
                for (int i = 0; i < 32; i++) {
                    kept.add(new byte[1 << 20]);
                }
            }
        });
        assertThat(report.crashes()).hasSize(1).first().asString().contains("input 1").contains("limit 8 MiB");
    }

    @Test
    void aStackOverflowIsACrashNotTheEndOfTheRun() {
        Fuzzer.Report report = Fuzzer.text("deep", "(", "x").run(2, 9, input -> {
            if (input.equals("(")) {
                recurse(0);
            }
        });
        assertThat(report.crashes()).hasSize(1).first().asString().contains("StackOverflowError");
        assertThat(report.accepted()).isEqualTo(1);
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    void bytesAreEditedToo() {
        List<Integer> lengths = new ArrayList<>();
        Fuzzer.bytes("bytes", List.of(new byte[512])).run(100, 7, input -> lengths.add(input.length));
        assertThat(lengths).hasSize(100).contains(512);
        assertThat(lengths.stream().distinct().count()).isGreaterThan(5);
    }
}
