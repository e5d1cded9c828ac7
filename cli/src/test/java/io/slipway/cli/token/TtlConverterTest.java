package io.slipway.cli.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class TtlConverterTest {
    private final TokenCommand.TtlConverter ttl = new TokenCommand.TtlConverter();

    @Test
    void shortFormsAndIsoDurationsAreLifetimes() {
        assertThat(ttl.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(ttl.convert("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(ttl.convert("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(ttl.convert("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(ttl.convert("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void anythingElseIsRejectedWithTheAcceptedForms() {
        for (String bad : new String[] {"5x", "h", "0h", "-1h", "", "PT0S"}) {
            assertThatThrownBy(() -> ttl.convert(bad)).as(bad).isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("12h");
        }
    }

    @Test
    void aLifetimeBeyondWhatServicesAcceptIsRefused() {
        assertThat(ttl.convert("30d")).isEqualTo(Duration.ofDays(30));
        for (String tooLong : new String[] {"31d", "721h", "P365D"}) {
            assertThatThrownBy(() -> ttl.convert(tooLong)).as(tooLong).isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("at most 30d");
        }
    }
}
