package io.vminfo.core.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ScheduledExecutorService} driven by a {@link ManualClock}: nothing runs until the test
 * calls {@link #advance(Duration)} or {@link #runDue()}, and then tasks run on the test's thread in
 * time order. Lets tests of timeouts and periodic work run with no sleeps and no real time.
 */
public final class ManualScheduler implements ScheduledExecutorService {
  private final ManualClock clock;
  private final PriorityQueue<Job<?>> jobs =
      new PriorityQueue<>(Comparator.comparing((Job<?> j) -> j.due).thenComparingLong(j -> j.seq));
  private final AtomicLong seq = new AtomicLong();
  private boolean shutdown;

  public ManualScheduler(ManualClock clock) {
    this.clock = clock;
  }

  public ManualClock clock() {
    return clock;
  }

  /** Moves the clock forward by {@code d}, running every task that falls due on the way. */
  public void advance(Duration d) {
    Instant end = clock.instant().plus(d);
    while (true) {
      Job<?> next;
      synchronized (this) {
        next = jobs.peek();
        if (next == null || next.due.isAfter(end)) {
          break;
        }
        jobs.poll();
      }
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      next.runOnce();
    }
    if (end.isAfter(clock.instant())) {
      clock.set(end);
    }
  }

  /** Runs everything due now (including tasks submitted with no delay). */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Number of tasks waiting (periodic ones count once). */
  public synchronized int pendingCount() {
    return (int) jobs.stream().filter(j -> !j.isCancelled()).count();
  }

  private synchronized <T> Job<T> add(Job<T> job) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("scheduler is shut down");
    }
    jobs.add(job);
    return job;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(
        new Job<>(
            () -> {
              command.run();
              return null;
            },
            due(delay, unit),
            0));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return add(new Job<>(callable, due(delay, unit), 0));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return add(
        new Job<>(
            () -> {
              command.run();
              return null;
            },
            due(initialDelay, unit),
            unit.toNanos(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return scheduleAtFixedRate(command, initialDelay, delay, unit);
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> out = new ArrayList<>();
    for (Job<?> j : jobs) {
      out.add(() -> j.runOnce());
    }
    jobs.clear();
    return out;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && jobs.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    return schedule(task, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    return schedule(
        () -> {
          task.run();
          return result;
        },
        0,
        TimeUnit.NANOSECONDS);
  }

  @Override
  public Future<?> submit(Runnable task) {
    return schedule(task, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
    throw new UnsupportedOperationException("not used by vminfo");
  }

  @Override
  public <T> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
    throw new UnsupportedOperationException("not used by vminfo");
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) {
    throw new UnsupportedOperationException("not used by vminfo");
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
    throw new UnsupportedOperationException("not used by vminfo");
  }

  private Instant due(long delay, TimeUnit unit) {
    return clock.instant().plusNanos(unit.toNanos(Math.max(0, delay)));
  }

  private final class Job<T> implements ScheduledFuture<T> {
    private final Callable<T> body;
    private final long periodNanos;
    private final long seq = ManualScheduler.this.seq.incrementAndGet();
    private volatile Instant due;
    private volatile boolean cancelled;
    private volatile boolean done;
    private volatile T result;
    private volatile Throwable failure;

    Job(Callable<T> body, Instant due, long periodNanos) {
      this.body = body;
      this.due = due;
      this.periodNanos = periodNanos;
    }

    void runOnce() {
      if (cancelled) {
        return;
      }
      try {
        result = body.call();
      } catch (Throwable t) {
        failure = t;
        done = true;
        return;
      }
      if (periodNanos > 0 && !cancelled) {
        due = due.plusNanos(periodNanos);
        synchronized (ManualScheduler.this) {
          if (!shutdown) {
            jobs.add(this);
          }
        }
      } else {
        done = true;
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), due).toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (done) {
        return false;
      }
      cancelled = true;
      synchronized (ManualScheduler.this) {
        jobs.remove(this);
      }
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public T get() throws ExecutionException {
      if (cancelled) {
        throw new CancellationException();
      }
      if (!done) {
        throw new IllegalStateException("manual job not run yet; advance the scheduler first");
      }
      if (failure != null) {
        throw new ExecutionException(failure);
      }
      return result;
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws ExecutionException, TimeoutException {
      if (!done && !cancelled) {
        throw new TimeoutException("manual job not run yet");
      }
      return get();
    }
  }
}
