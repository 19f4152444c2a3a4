package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AcceleratedTimeTest {
  @Test
  void aRateBelowTwoIsRefused() {
    assertThatThrownBy(() -> AcceleratedTime.from(1, Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2x");
  }

  @Test
  void theClockRunsRateTimesFasterFromTheOrigin() {
    // whole milliseconds, as the clock keeps them: else the bound below misses by microseconds
    Instant origin =
        Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minusSeconds(10);
    AcceleratedTime t = AcceleratedTime.from(3600, origin);
    // at least 10 real seconds have passed since the origin: at least 10 simulated hours
    assertThat(t.clock().instant()).isAfterOrEqualTo(origin.plus(Duration.ofHours(10)));
    Instant a = t.clock().instant();
    assertThat(t.clock().instant()).isAfterOrEqualTo(a);
    // the origin is where both clocks agree, whatever the rate
    assertThat(AcceleratedTime.from(2, Instant.now().plusSeconds(3600)).clock().instant())
        .isBefore(Instant.now().plusSeconds(3600));
  }

  @Test
  void aSimulatedOriginPlacesTheTimelineAnywhere() {
    Instant sim = Instant.parse("2030-01-01T00:00:00Z");
    Instant wall = Instant.now();
    Instant now = new AcceleratedTime(60, sim, wall).clock().instant();
    // less than an hour of wall time has passed: less than 60 simulated hours
    assertThat(now).isAfterOrEqualTo(sim).isBefore(sim.plus(Duration.ofHours(60)));
  }

  @Test
  void theSchedulerShrinksDelaysByTheRate() {
    ScheduledThreadPoolExecutor s =
        AcceleratedTime.from(1_000_000, Instant.now()).scheduler(2, "usage-accelerated");
    try {
      AtomicBoolean ran = new AtomicBoolean();
      s.schedule(() -> ran.set(true), 1, TimeUnit.HOURS); // 3.6 ms of real time
      await().atMost(Duration.ofSeconds(10)).untilTrue(ran);
      assertThat(Thread.getAllStackTraces().keySet())
          .anyMatch(th -> th.getName().startsWith("usage-accelerated-"));
    } finally {
      s.shutdownNow();
    }
  }
}
