package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CatchUpIntervalsTest {
  @Test
  void theCatchUpDurationIsCountedInWholeIntervalsAndNeverNone() {
    assertThat(UsageRecorders.catchUpIntervals(Duration.ofHours(1), Duration.ofMinutes(1)))
        .isEqualTo(60);
    assertThat(UsageRecorders.catchUpIntervals(Duration.ofDays(7), Duration.ofMinutes(1)))
        .isEqualTo(7 * 24 * 60);
    assertThat(UsageRecorders.catchUpIntervals(Duration.ofSeconds(90), Duration.ofMinutes(1)))
        .isEqualTo(1);
    assertThat(UsageRecorders.catchUpIntervals(Duration.ofSeconds(1), Duration.ofMinutes(10)))
        .isEqualTo(1);
  }
}
