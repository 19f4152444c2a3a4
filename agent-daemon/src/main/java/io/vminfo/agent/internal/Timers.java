package io.vminfo.agent.internal;

import io.netty.channel.Channel;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Schedules per-connection timers (idle and request timeouts, feed heartbeats). Tasks always run on
 * the connection's event loop. By default the event loop's own scheduler keeps time; tests pass a
 * manual scheduler so timeouts fire when the test says, with no real waiting.
 */
public interface Timers {
  /** A scheduled task that can be cancelled. */
  interface Handle {
    void cancel();
  }

  Handle schedule(Channel channel, Duration delay, Runnable task);

  /** Timers on each channel's event loop. */
  static Timers eventLoop() {
    return (channel, delay, task) -> {
      ScheduledFuture<?> f =
          channel.eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }

  /** Timers kept by {@code scheduler}; the task hops to the channel's event loop when due. */
  static Timers on(ScheduledExecutorService scheduler) {
    return (channel, delay, task) -> {
      ScheduledFuture<?> f;
      try {
        f =
            scheduler.schedule(
                () -> channel.eventLoop().execute(task), delay.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        return () -> {};
      }
      return () -> f.cancel(false);
    };
  }
}
