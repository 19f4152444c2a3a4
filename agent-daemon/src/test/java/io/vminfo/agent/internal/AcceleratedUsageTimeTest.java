package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.AgentConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The test-only accelerated usage time ({@code testing.usage_clock_rate} / {@code _origin}). */
class AcceleratedUsageTimeTest {
  @Test
  void theKeysAreOffByDefaultAndValidated() {
    AgentConfig d = AgentConfig.defaults();
    assertThat(d.usageClockRate()).isEqualTo(1);
    assertThat(d.usageClockOrigin()).isEmpty();
    AgentConfig c = AgentConfig.load(List.of("--testing.usage_clock_rate=720",
        "--testing.usage_clock_origin=2026-01-01T00:00:00Z"), Map.of());
    assertThat(c.usageClockRate()).isEqualTo(720);
    assertThat(c.usageClockOrigin()).contains(Instant.parse("2026-01-01T00:00:00Z"));
    assertThatThrownBy(() -> AgentConfig.load(List.of("--testing.usage_clock_origin=yesterday"),
        Map.of())).isInstanceOf(AgentConfigException.class)
        .hasMessageContaining("testing.usage_clock_origin").hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> AgentConfig.load(List.of("--testing.usage_clock_rate=0"), Map.of()))
        .isInstanceOf(AgentConfigException.class);
    assertThatThrownBy(() -> new AcceleratedUsageTime(1, Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theClockRunsRateTimesFasterFromTheOrigin() {
    Instant origin = Instant.now().minusSeconds(10);
    AcceleratedUsageTime t = new AcceleratedUsageTime(3600, origin);
    // at least 10 real seconds have passed since the origin: at least 10 simulated hours
    assertThat(t.clock().instant()).isAfterOrEqualTo(origin.plus(Duration.ofHours(10)));
    Instant a = t.clock().instant();
    assertThat(t.clock().instant()).isAfterOrEqualTo(a);
    // the origin is where both clocks agree, whatever the rate
    assertThat(new AcceleratedUsageTime(2, Instant.now().plusSeconds(3600)).clock().instant())
        .isBefore(Instant.now().plusSeconds(3600));
  }

  @Test
  void theSchedulerShrinksDelaysByTheRate() {
    ScheduledThreadPoolExecutor s = new AcceleratedUsageTime(1_000_000, Instant.now()).scheduler();
    try {
      AtomicBoolean ran = new AtomicBoolean();
      s.schedule(() -> ran.set(true), 1, TimeUnit.HOURS); // 3.6 ms of real time
      await().atMost(Duration.ofSeconds(10)).untilTrue(ran);
      assertThat(Thread.getAllStackTraces().keySet()).anyMatch(
          th -> th.getName().startsWith("usage-accelerated-"));
    } finally {
      s.shutdownNow();
    }
  }
}
