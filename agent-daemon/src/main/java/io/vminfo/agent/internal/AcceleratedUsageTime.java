package io.vminfo.agent.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Test-only time for the usage recorder ({@code testing.usage_clock_rate}): a clock that runs
 * {@code rate} times faster than the wall clock from {@code origin} (where both agree), and a
 * scheduler that shrinks every delay by the same factor, so hours of sampling, sealing and upload
 * pass in seconds of a real agent process. A fixed origin shared by restarts keeps one simulated
 * timeline across them, as a real host's clock goes on while its agent is down.
 */
final class AcceleratedUsageTime {
  private final long rate;
  private final long originMillis;

  AcceleratedUsageTime(int rate, Instant origin) {
    if (rate < 2) {
      throw new IllegalArgumentException("an accelerated clock runs at least 2x: " + rate);
    }
    this.rate = rate;
    this.originMillis = origin.toEpochMilli();
  }

  Clock clock() {
    return new Clock() {
      @Override
      public Instant instant() {
        long now = System.currentTimeMillis();
        return Instant.ofEpochMilli(originMillis + (now - originMillis) * rate);
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
  }

  /** A two-thread scheduler ({@code usage-accelerated-N}) whose delays are divided by the rate. */
  ScheduledThreadPoolExecutor scheduler() {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "usage-accelerated-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }) {
      @Override
      public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return super.schedule(command, scaled(delay, unit), TimeUnit.NANOSECONDS);
      }

      @Override
      public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return super.schedule(callable, scaled(delay, unit), TimeUnit.NANOSECONDS);
      }

      @Override
      public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
          long period, TimeUnit unit) {
        return super.scheduleAtFixedRate(command, scaled(initialDelay, unit),
            Math.max(1, scaled(period, unit)), TimeUnit.NANOSECONDS);
      }

      @Override
      public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
          long delay, TimeUnit unit) {
        return super.scheduleWithFixedDelay(command, scaled(initialDelay, unit),
            Math.max(1, scaled(delay, unit)), TimeUnit.NANOSECONDS);
      }
    };
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  private long scaled(long delay, TimeUnit unit) {
    return Math.max(0, unit.toNanos(delay) / rate);
  }

  @Override
  public String toString() {
    return rate + "x from " + Instant.ofEpochMilli(originMillis) + " ("
        + Duration.ofHours(1).dividedBy(rate).toMillis() + " ms per simulated hour)";
  }
}
