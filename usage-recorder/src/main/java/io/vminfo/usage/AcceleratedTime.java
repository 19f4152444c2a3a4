package io.vminfo.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For tests and demonstrations only: a clock that runs {@code rate} times faster than the wall
 * clock, and a scheduler that shrinks every delay by the same factor. Given to {@link
 * UsageService.Builder#clock} and {@link UsageService.Builder#scheduler}, hours of sampling,
 * sealing and upload pass in seconds of a real process. The simulated time is {@code
 * simulatedOrigin + (wall - wallOrigin) * rate}; fixed origins shared by restarts keep one timeline
 * across them, as a real host's clock goes on while its recorder is down.
 */
public final class AcceleratedTime {
  private final long rate;
  private final long simulatedOriginMillis;
  private final long wallOriginMillis;

  /**
   * Simulated time {@code simulatedOrigin} at wall time {@code wallOrigin}, {@code rate}x faster.
   */
  public AcceleratedTime(long rate, Instant simulatedOrigin, Instant wallOrigin) {
    if (rate < 2) {
      throw new IllegalArgumentException("an accelerated clock runs at least 2x: " + rate);
    }
    this.rate = rate;
    this.simulatedOriginMillis =
        Objects.requireNonNull(simulatedOrigin, "simulatedOrigin").toEpochMilli();
    this.wallOriginMillis = Objects.requireNonNull(wallOrigin, "wallOrigin").toEpochMilli();
  }

  /**
   * Both clocks agree at {@code origin}; from there the simulated one runs {@code rate}x faster.
   */
  public static AcceleratedTime from(long rate, Instant origin) {
    return new AcceleratedTime(rate, origin, origin);
  }

  public Clock clock() {
    return new Clock() {
      @Override
      public Instant instant() {
        long wall = System.currentTimeMillis();
        return Instant.ofEpochMilli(simulatedOriginMillis + (wall - wallOriginMillis) * rate);
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

  /**
   * A scheduler of {@code threads} daemon threads named {@code namePrefix-N} whose delays and
   * periods are divided by the rate; the caller shuts it down.
   */
  public ScheduledThreadPoolExecutor scheduler(int threads, String namePrefix) {
    Objects.requireNonNull(namePrefix, "namePrefix");
    AtomicInteger n = new AtomicInteger();
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            threads,
            r -> {
              Thread t = new Thread(r, namePrefix + "-" + n.incrementAndGet());
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
          public ScheduledFuture<?> scheduleAtFixedRate(
              Runnable command, long initialDelay, long period, TimeUnit unit) {
            return super.scheduleAtFixedRate(
                command,
                scaled(initialDelay, unit),
                Math.max(1, scaled(period, unit)),
                TimeUnit.NANOSECONDS);
          }

          @Override
          public ScheduledFuture<?> scheduleWithFixedDelay(
              Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return super.scheduleWithFixedDelay(
                command,
                scaled(initialDelay, unit),
                Math.max(1, scaled(delay, unit)),
                TimeUnit.NANOSECONDS);
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
    return rate
        + "x from "
        + Instant.ofEpochMilli(simulatedOriginMillis)
        + " ("
        + Duration.ofHours(1).dividedBy(rate).toMillis()
        + " ms per simulated hour)";
  }
}
