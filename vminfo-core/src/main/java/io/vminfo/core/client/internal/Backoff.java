package io.vminfo.core.client.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from {@code initial}, capped at {@code max}, with full jitter
 * (uniform between {@code initial} and the current ceiling), so many clients that lost the same
 * agent do not come back in lockstep. Not thread-safe; callers hold their own lock.
 */
public final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final RandomGenerator random;
  private int attempt;

  public Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = Objects.requireNonNull(random, "random");
    if (initialNanos <= 0 || maxNanos < initialNanos) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
    }
  }

  /** The delay before the next attempt; each call without {@link #reset()} doubles the ceiling. */
  public Duration next() {
    long ceiling = initialNanos;
    for (int i = 0; i < attempt && ceiling < maxNanos; i++) {
      ceiling = ceiling > maxNanos / 2 ? maxNanos : ceiling * 2;
    }
    ceiling = Math.min(ceiling, maxNanos);
    attempt = Math.min(attempt + 1, 62);
    long span = ceiling - initialNanos;
    return Duration.ofNanos(initialNanos + (span == 0 ? 0 : random.nextLong(span + 1)));
  }

  /** After a success: the next delay starts from {@code initial} again. */
  public void reset() {
    attempt = 0;
  }
}
