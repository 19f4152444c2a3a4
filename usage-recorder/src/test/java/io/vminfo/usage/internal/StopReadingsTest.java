package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.VmUsage;
import io.vminfo.usage.testing.TestVms;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StopReadingsTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final Instant B = Instant.parse("2026-11-22T10:02:00Z");

  @Test
  void aReadingIsTakenOnceByTheSampleOfItsIntervalOnly() {
    StopReadings r = new StopReadings();
    VmUsage u = TestVms.usageOf(TestVms.vm(0));
    r.put("a", u, B.minusSeconds(20));
    assertThat(r.take("a", B.minus(MINUTE), MINUTE)).as("an earlier interval").isEmpty();
    assertThat(r.take("a", B, MINUTE)).contains(u);
    assertThat(r.take("a", B, MINUTE)).as("used once").isEmpty();

    r.put("b", u, B.minusSeconds(90)); // the VM ran again and was sampled since
    assertThat(r.take("b", B, MINUTE)).isEmpty();
    assertThat(r.size()).isZero();

    r.put("c", VmUsage.EMPTY, B.minusSeconds(5));
    assertThat(r.size()).as("a reading without counters is not kept").isZero();

    r.put("d", u, B.minusSeconds(70));
    r.forgetBefore(B, MINUTE);
    assertThat(r.size()).isZero();
  }
}
