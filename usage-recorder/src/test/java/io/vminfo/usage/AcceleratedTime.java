package io.vminfo.usage;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Time running {@code factor} times faster than the wall clock, from a fixed origin shared by
 * every child process, so simulated time goes on while a killed child is down, as it would on a
 * real host. The scheduler shrinks every delay by the same factor.
 */
final class AcceleratedTime {
  private final long originSim;
  private final long originWall;
  private final long factor;

  AcceleratedTime(long originSimMillis, long originWallMillis, long factor) {
    this.originSim = originSimMillis;
    this.originWall = originWallMillis;
    this.factor = factor;
  }

  Clock clock() {
    return new Clock() {
      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(originSim + (System.currentTimeMillis() - originWall) * factor);
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

  ScheduledThreadPoolExecutor scheduler(int threads) {
    return new ScheduledThreadPoolExecutor(threads, r -> {
      Thread t = new Thread(r, "crash-child-scheduler");
      t.setDaemon(true);
      return t;
    }) {
      @Override
      public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return super.schedule(command, unit.toNanos(delay) / factor, TimeUnit.NANOSECONDS);
      }

      @Override
      public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return super.schedule(callable, unit.toNanos(delay) / factor, TimeUnit.NANOSECONDS);
      }
    };
  }
}
