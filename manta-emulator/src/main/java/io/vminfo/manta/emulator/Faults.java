package io.vminfo.manta.emulator;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Faults the emulator injects on demand, for tests of clients and uploaders. Thread-safe; every
 * "next N" counter is consumed by requests in arrival order. Faults apply before authentication and
 * validation, as a load balancer or an overloaded front end would.
 */
public final class Faults {
  /** What to do with one request. */
  public enum Action {
    /** Serve normally. */
    NONE,
    /** Answer with the configured error status and code. */
    FAIL,
    /** Close the connection without answering. */
    DROP,
    /** Answer with headers and part of the body, then close. */
    TRUNCATE,
    /** Serve normally but report a wrong MD5 (Computed-MD5 on PUT, Content-MD5 on GET). */
    CORRUPT_MD5
  }

  /** The decision for one request. */
  public record Decision(
      Action action, int status, String code, Duration delay, long retryAfterSeconds) {
    public static final Decision NONE = new Decision(Action.NONE, 0, "", Duration.ZERO, -1);
  }

  private final AtomicInteger failNext = new AtomicInteger();
  private final AtomicReference<int[]> failStatus = new AtomicReference<>(new int[] {503});
  private final AtomicReference<String> failCode = new AtomicReference<>("ServiceUnavailable");
  private final AtomicLong retryAfter = new AtomicLong(-1);
  private final AtomicInteger dropNext = new AtomicInteger();
  private final AtomicInteger truncateNext = new AtomicInteger();
  private final AtomicInteger delayNext = new AtomicInteger();
  private final AtomicInteger corruptNext = new AtomicInteger();
  private final AtomicReference<Duration> delayNextBy = new AtomicReference<>(Duration.ZERO);
  private final AtomicReference<Duration> delayAll = new AtomicReference<>(Duration.ZERO);
  private volatile boolean refuseAll;
  private volatile boolean dropAll;
  private final AtomicLong injected = new AtomicLong();

  Faults() {}

  /** The next {@code n} requests get {@code 503 ServiceUnavailable}. */
  public Faults failNext(int n) {
    return failNext(n, 503, "ServiceUnavailable");
  }

  /** The next {@code n} requests get {@code status} with Manta error code {@code code}. */
  public synchronized Faults failNext(int n, int status, String code) {
    requirePositive(n);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 4xx or 5xx: " + status);
    }
    failStatus.set(new int[] {status});
    failCode.set(Objects.requireNonNull(code, "code"));
    failNext.set(n);
    return this;
  }

  /** The next {@code n} requests get {@code 503 ThrottledError}, as muskie's throttle sends. */
  public Faults throttleNext(int n) {
    return failNext(n, 503, "ThrottledError");
  }

  /** Failures injected from now on carry {@code Retry-After: seconds} (negative: none). */
  public Faults retryAfter(long seconds) {
    retryAfter.set(seconds);
    return this;
  }

  /** The next {@code n} requests have their connection closed without an answer. */
  public Faults dropNext(int n) {
    requirePositive(n);
    dropNext.set(n);
    return this;
  }

  /**
   * The next {@code n} GETs of objects send full headers and then close the connection halfway
   * through the body; other requests are carried out (an upload is stored) but the connection
   * closes instead of the answer.
   */
  public Faults truncateNext(int n) {
    requirePositive(n);
    truncateNext.set(n);
    return this;
  }

  /**
   * The next {@code n} successful PUTs report a wrong {@code Computed-MD5} and GETs a wrong {@code
   * Content-MD5}: what a client sees when bytes were damaged on the way.
   */
  public Faults corruptNext(int n) {
    requirePositive(n);
    corruptNext.set(n);
    return this;
  }

  /** The next {@code n} responses wait {@code delay} before they are sent. */
  public synchronized Faults delayNext(int n, Duration delay) {
    requirePositive(n);
    delayNextBy.set(requireNonNegative(delay));
    delayNext.set(n);
    return this;
  }

  /** Every response waits {@code delay} until {@link #reset()} (a slow server). */
  public Faults delayAll(Duration delay) {
    delayAll.set(requireNonNegative(delay));
    return this;
  }

  /**
   * Every request gets {@code 503 ServiceUnavailable} until {@link #acceptAll()} or {@link
   * #reset()}.
   */
  public Faults refuseAll() {
    refuseAll = true;
    return this;
  }

  /**
   * Every connection is closed without an answer until {@link #acceptAll()} or {@link #reset()}.
   */
  public Faults dropAll() {
    dropAll = true;
    return this;
  }

  /** Ends {@link #refuseAll()} and {@link #dropAll()}. */
  public Faults acceptAll() {
    refuseAll = false;
    dropAll = false;
    return this;
  }

  /** Clears every fault. */
  public synchronized Faults reset() {
    failNext.set(0);
    dropNext.set(0);
    truncateNext.set(0);
    corruptNext.set(0);
    delayNext.set(0);
    delayAll.set(Duration.ZERO);
    retryAfter.set(-1);
    refuseAll = false;
    dropAll = false;
    return this;
  }

  boolean dropsConnections() {
    return dropAll;
  }

  /** How many requests a fault was applied to so far. */
  public long injected() {
    return injected.get();
  }

  /** Decides the fate of one request; called once per request by the emulator. */
  synchronized Decision next() {
    Duration delay = delayAll.get();
    if (delayNext.get() > 0) {
      delayNext.decrementAndGet();
      delay = delay.plus(delayNextBy.get());
    }
    Decision d;
    if (dropAll || take(dropNext)) {
      d = new Decision(Action.DROP, 0, "", delay, -1);
    } else if (refuseAll) {
      d = new Decision(Action.FAIL, 503, "ServiceUnavailable", delay, retryAfter.get());
    } else if (take(failNext)) {
      d = new Decision(Action.FAIL, failStatus.get()[0], failCode.get(), delay, retryAfter.get());
    } else if (take(truncateNext)) {
      d = new Decision(Action.TRUNCATE, 0, "", delay, -1);
    } else if (take(corruptNext)) {
      d = new Decision(Action.CORRUPT_MD5, 0, "", delay, -1);
    } else {
      d = delay.isZero() ? Decision.NONE : new Decision(Action.NONE, 0, "", delay, -1);
    }
    if (!d.equals(Decision.NONE)) {
      injected.incrementAndGet();
    }
    return d;
  }

  private static boolean take(AtomicInteger counter) {
    if (counter.get() > 0) {
      counter.decrementAndGet();
      return true;
    }
    return false;
  }

  private static void requirePositive(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("count must be >= 1: " + n);
    }
  }

  private static Duration requireNonNegative(Duration d) {
    if (Objects.requireNonNull(d, "delay").isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + d);
    }
    return d;
  }
}
