package io.vminfo.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.agent.AgentConfig;
import io.vminfo.agent.AgentConfigException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test-only keys {@code testing.usage_clock_rate} / {@code _origin} (the accelerated time
 * itself is tested in usage-recorder, {@code AcceleratedTimeTest}).
 */
class UsageClockKeysTest {
  @Test
  void theKeysAreOffByDefaultAndValidated() {
    AgentConfig d = AgentConfig.defaults();
    assertThat(d.usageClockRate()).isEqualTo(1);
    assertThat(d.usageClockOrigin()).isEmpty();
    AgentConfig c =
        AgentConfig.load(
            List.of(
                "--testing.usage_clock_rate=720",
                "--testing.usage_clock_origin=2026-01-01T00:00:00Z"),
            Map.of());
    assertThat(c.usageClockRate()).isEqualTo(720);
    assertThat(c.usageClockOrigin()).contains(Instant.parse("2026-01-01T00:00:00Z"));
    assertThatThrownBy(
            () -> AgentConfig.load(List.of("--testing.usage_clock_origin=yesterday"), Map.of()))
        .isInstanceOf(AgentConfigException.class)
        .hasMessageContaining("testing.usage_clock_origin")
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> AgentConfig.load(List.of("--testing.usage_clock_rate=0"), Map.of()))
        .isInstanceOf(AgentConfigException.class);
  }
}
