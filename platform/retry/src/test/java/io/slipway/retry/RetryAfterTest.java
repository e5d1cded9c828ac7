package io.slipway.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    @Test
    void secondsOrAnHttpDateAndNothingForWhatIsNotOne() {
        assertThat(RetryAfter.parse("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(" -3 ")).isEqualTo(Duration.ZERO);
        String inAMinute = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(RetryAfter.parse(inAMinute)).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61));
        assertThat(RetryAfter.parse("Mon, 01 Jan 2001 00:00:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse(null)).isNull();
        assertThat(RetryAfter.parse(" ")).isNull();
        assertThat(RetryAfter.parse("soon")).isNull();
    }
}
