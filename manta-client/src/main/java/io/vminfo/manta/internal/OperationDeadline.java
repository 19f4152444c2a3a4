package io.vminfo.manta.internal;

import io.vminfo.manta.MantaException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The end of one blocking call (all its requests, attempts, backoffs, connects, writes and reads).
 * The blocking facade opens one per call on the calling thread; the socket transport, which runs
 * the call on that same thread, reads it there and ends the call when it passes, as the facade's
 * bounded wait does for the asynchronous path. Calls made inside a call share its deadline.
 */
public final class OperationDeadline {
  /** No bound: what a transport sees outside a blocking call. */
  public static final OperationDeadline NONE = new OperationDeadline(Duration.ZERO, 0, false);

  private static final ThreadLocal<OperationDeadline> CURRENT = new ThreadLocal<>();

  private final Duration timeout;
  private final long endNanos;
  private final boolean bounded;

  private OperationDeadline(Duration timeout, long endNanos, boolean bounded) {
    this.timeout = timeout;
    this.endNanos = endNanos;
    this.bounded = bounded;
  }

  /**
   * Runs {@code call} with a deadline {@code timeout} from now on this thread, or inside the
   * deadline of the call already running here.
   */
  public static <T> T within(Duration timeout, Function<OperationDeadline, T> call) {
    OperationDeadline outer = CURRENT.get();
    if (outer != null) {
      return call.apply(outer);
    }
    OperationDeadline d =
        new OperationDeadline(timeout, System.nanoTime() + saturated(timeout), true);
    CURRENT.set(d);
    try {
      return call.apply(d);
    } finally {
      CURRENT.remove();
    }
  }

  private static long saturated(Duration d) {
    try {
      return Math.min(d.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  /** The deadline of the blocking call running on this thread, or {@link #NONE}. */
  public static OperationDeadline current() {
    OperationDeadline d = CURRENT.get();
    return d != null ? d : NONE;
  }

  /** Nanoseconds left; {@code Long.MAX_VALUE} when unbounded, 0 or less once passed. */
  public long remainingNanos() {
    return bounded ? endNanos - System.nanoTime() : Long.MAX_VALUE;
  }

  public boolean passed() {
    return bounded && endNanos - System.nanoTime() <= 0;
  }

  /** The deadline as a {@code System.nanoTime()} value, for a watchdog on another thread. */
  long endNanos() {
    return endNanos;
  }

  boolean bounded() {
    return bounded;
  }

  /**
   * {@code millis}, or less when the deadline is nearer (at least 1: 0 would mean no bound to a
   * socket).
   */
  int bound(int millis) {
    long left = TimeUnit.NANOSECONDS.toMillis(remainingNanos());
    return (int) Math.max(1, Math.min(millis, left));
  }

  /** The failure of a call past its deadline: the same as the facade's bounded wait reports. */
  public MantaException expired(Throwable cause) {
    return new MantaException(
        0,
        MantaException.TIMEOUT,
        "operation took longer than " + timeout,
        Optional.empty(),
        false,
        cause);
  }

  /** Throws {@link #expired} once the deadline passed. */
  void check() {
    if (passed()) {
      throw expired(null);
    }
  }
}
