package io.slipway.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class NeedsTest {
    @Test
    void aMissingNeedSkipsOnADevelopersMachineAndFailsUnderCi() {
        assertThatCode(() -> Needs.machine(true, "a shell")).doesNotThrowAnyException();
        Throwable missing = catchThrowable(() -> Needs.machine(false, "a unicorn (Debian package)"));
        if (Needs.underCi()) {
            assertThat(missing).isInstanceOf(AssertionError.class).hasMessageContaining("needs a unicorn (Debian package)")
                    .hasMessageContaining("CI=true");
        } else {
            assertThat(missing).isInstanceOf(TestAbortedException.class).hasMessageContaining("a unicorn (Debian package)");
        }
    }
}
