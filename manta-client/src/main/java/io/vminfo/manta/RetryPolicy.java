package io.vminfo.manta;

import java.time.Duration;
import java.util.Objects;

/**
 * How failed requests are retried: at most {@code maxAttempts} tries, waiting a capped exponential
 * backoff with jitter between them (or Manta's {@code Retry-After}, never above {@code maxDelay}).
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
    }
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay");
    }
  }

  /** 4 attempts, 200 ms first delay, 10 s cap. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(10));
  }

  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /**
   * The wait before attempt {@code attempt + 1}: half the exponential step fixed, half random
   * ("equal jitter"), so clients that failed together do not retry together.
   *
   * @param random a number in [0, 1)
   * @param retryAfterMillis the server's Retry-After in ms, or negative
   */
  public Duration delayAfter(int attempt, double random, long retryAfterMillis) {
    long cap = maxDelay.toMillis();
    long step = initialDelay.toMillis() << Math.min(attempt - 1, 30);
    if (step < 0 || step > cap) {
      step = cap;
    }
    long d = step / 2 + (long) (random * (step - step / 2));
    if (retryAfterMillis > d) {
      d = Math.min(retryAfterMillis, cap);
    }
    return Duration.ofMillis(d);
  }
}
