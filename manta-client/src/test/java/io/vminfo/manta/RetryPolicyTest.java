package io.vminfo.manta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1));

  @Test
  void backsOffExponentiallyWithEqualJitterUpToTheCap() {
    assertThat(p.delayAfter(1, 0, -1)).isEqualTo(Duration.ofMillis(50));
    assertThat(p.delayAfter(1, 0.999, -1).toMillis()).isBetween(99L, 100L);
    assertThat(p.delayAfter(3, 0, -1)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.delayAfter(30, 0.999, -1).toMillis()).isBetween(999L, 1000L);
    assertThat(p.delayAfter(64, 0.5, -1).toMillis()).isLessThanOrEqualTo(1000L);
  }

  @Test
  void honoursRetryAfterButNeverBeyondTheCap() {
    assertThat(p.delayAfter(1, 0, 700)).isEqualTo(Duration.ofMillis(700));
    assertThat(p.delayAfter(1, 0, 30_000)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.delayAfter(4, 0.9, 10).toMillis()).isGreaterThan(10);
  }

  @Test
  void validates() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
