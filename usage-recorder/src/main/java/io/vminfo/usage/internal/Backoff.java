package io.vminfo.usage.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter: after {@code n} consecutive failures the delay is drawn
 * from {@code [d/2, d]} with {@code d = min(max, initial * 2^(n-1))}, so many agents that lost the
 * same store do not come back in lockstep, and no wait is ever longer than {@code max}.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final DoubleSupplier random;

  public Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initial = Objects.requireNonNull(initial, "initial");
    this.max = Objects.requireNonNull(max, "max");
    this.random = Objects.requireNonNull(random, "random");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + ", " + max);
    }
  }

  public Duration delay(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be >= 1");
    }
    long cap = max.toMillis();
    long d = initial.toMillis();
    for (int i = 1; i < failures && d < cap; i++) {
      d *= 2;
    }
    d = Math.min(d, cap);
    double r = Math.min(1.0, Math.max(0.0, random.getAsDouble()));
    return Duration.ofMillis(Math.max(1, (long) (d / 2.0 + r * d / 2.0)));
  }

  public Duration max() {
    return max;
  }
}
