package io.vminfo.sysevent.internal.watch;

import java.time.Duration;

/** Delays between attempts to watch a missing directory: quick at first, then every few seconds. */
public record RetrySchedule(Duration first, Duration max) {
  /** Delay before attempt number {@code attempt} (0-based) after the first failure. */
  public long delayNanos(int attempt) {
    long d = first.toNanos();
    long cap = max.toNanos();
    for (int i = 0; i < attempt && d < cap; i++) {
      d *= 2;
    }
    return Math.min(d, cap);
  }
}
