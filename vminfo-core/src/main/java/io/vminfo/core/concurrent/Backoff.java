package io.vminfo.core.concurrent;

import java.time.Duration;
import java.util.Objects;

/**
 * Capped exponential backoff, the one rule of every retry in vminfo: after {@code n} consecutive
 * failures the ceiling is {@code min(max, initial * 2^(n-1))}, and the delay is drawn from {@code
 * [ceiling/2, ceiling]} ("equal jitter"), so many agents or clients that lost the same peer do not
 * come back in lockstep, none waits less than half the ceiling, and no wait is longer than {@code
 * max}. The jitter source is the caller's, so tests choose it.
 */
public record Backoff(Duration initial, Duration max) {
  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max, got " + initial + ", " + max);
    }
  }

  /** The ceiling after {@code failures} (at least 1) consecutive failures, without jitter. */
  public Duration ceiling(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be >= 1, got " + failures);
    }
    long cap = max.toNanos();
    long d = initial.toNanos();
    for (int i = 1; i < failures && d < cap; i++) {
      d = d > cap / 2 ? cap : d * 2;
    }
    return Duration.ofNanos(Math.min(d, cap));
  }

  /**
   * The delay after {@code failures} consecutive failures.
   *
   * @param unit the jitter, in [0, 1] (clamped): 0 is half the ceiling, 1 the ceiling
   */
  public Duration delay(int failures, double unit) {
    long c = ceiling(failures).toNanos();
    double u = Double.isNaN(unit) ? 1.0 : Math.min(1.0, Math.max(0.0, unit));
    return Duration.ofNanos(Math.max(1, c / 2 + (long) (u * (c - c / 2))));
  }
}
