package io.vminfo.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One subscriber of a {@link VmStore}: how it starts ({@link #start()}) and the queue of events
 * after that, bounded by a count and a byte size. A subscriber that falls behind past either bound
 * is cut off (its queue dropped, {@link #state()} becomes {@link State#CUT_OFF}); it can come back
 * with a resume request. Other subscribers and the store are never slowed by it.
 *
 * <p>Consume by polling ({@link #poll(Duration)}, {@link #drain(int)}) or, for event-loop
 * consumers, by registering {@link #onAvailable(Runnable)} and draining when called.
 */
public final class Subscription implements AutoCloseable {
  /** Lifecycle of a subscription. */
  public enum State {
    OPEN,
    /** Fell behind past its bounds; its queued events were dropped. Resume to continue. */
    CUT_OFF,
    CLOSED
  }

  private final String id;
  private final SubscribeRequest request;
  private final Instant createdAt;
  private final int maxEvents;
  private final long maxBytes;
  private final Consumer<Subscription> onClose;
  private final Consumer<Subscription> refill;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition nonEmpty = lock.newCondition();
  private final ArrayDeque<VmEvent> queue = new ArrayDeque<>();
  private long queuedBytes;
  private long delivered;
  private volatile State state = State.OPEN;
  private String endReason;
  private Runnable onAvailable;
  private SubscriptionStart start;
  private long lastDeliveredRev;

  /** Resumed with a backlog: events come from the store's history, not live offers. */
  private volatile boolean catchingUp;

  /** The last revision moved from the history (guarded by the store's write lock). */
  private long catchUpCursor;

  Subscription(
      String id,
      SubscribeRequest request,
      Instant createdAt,
      int maxEvents,
      long maxBytes,
      Consumer<Subscription> onClose,
      Consumer<Subscription> refill) {
    this.id = id;
    this.request = request;
    this.createdAt = createdAt;
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.onClose = onClose;
    this.refill = refill;
  }

  /** The listener id (the {@code uuid} of the ready line). */
  public String id() {
    return id;
  }

  public SubscribeRequest request() {
    return request;
  }

  /** How this subscription starts; events in the queue follow it with no gap and no overlap. */
  public SubscriptionStart start() {
    return start;
  }

  public State state() {
    return state;
  }

  /** Why the subscription was cut off or closed. */
  public Optional<String> endReason() {
    lock.lock();
    try {
      return Optional.ofNullable(endReason);
    } finally {
      lock.unlock();
    }
  }

  /** The next event, if one is queued (or, while catching up, still in the store's history). */
  public Optional<VmEvent> poll() {
    while (true) {
      lock.lock();
      try {
        VmEvent e = take();
        if (e != null || !catchingUp || state != State.OPEN) {
          return Optional.ofNullable(e);
        }
      } finally {
        lock.unlock();
      }
      // Refill outside our lock: the store takes its lock first, then ours.
      refill.accept(this);
    }
  }

  /**
   * The next event, waiting up to {@code timeout}; empty on timeout or when the subscription is no
   * longer open (check {@link #state()}).
   */
  public Optional<VmEvent> poll(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    while (true) {
      lock.lock();
      try {
        while (queue.isEmpty() && state == State.OPEN && !catchingUp) {
          if (nanos <= 0) {
            return Optional.empty();
          }
          nanos = nonEmpty.awaitNanos(nanos);
        }
        VmEvent e = take();
        if (e != null || !catchingUp || state != State.OPEN) {
          return Optional.ofNullable(e);
        }
      } finally {
        lock.unlock();
      }
      refill.accept(this);
    }
  }

  /** Up to {@code max} queued events, oldest first, without waiting. */
  public List<VmEvent> drain(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1");
    }
    List<VmEvent> out = new ArrayList<>(Math.min(max, 64));
    while (out.size() < max) {
      lock.lock();
      try {
        VmEvent e;
        while (out.size() < max && (e = take()) != null) {
          out.add(e);
        }
        if (out.size() >= max || !catchingUp || state != State.OPEN) {
          return out;
        }
      } finally {
        lock.unlock();
      }
      refill.accept(this);
    }
    return out;
  }

  /**
   * Registers a callback run when events become available after the queue was empty, and when the
   * subscription is cut off or closed. It runs on the thread that changed the store (keep it short:
   * hand off to your own executor). If events are already queued it runs at once.
   */
  public void onAvailable(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    boolean runNow;
    lock.lock();
    try {
      onAvailable = callback;
      runNow = !queue.isEmpty() || state != State.OPEN;
    } finally {
      lock.unlock();
    }
    if (runNow) {
      callback.run();
    }
  }

  public int queuedEvents() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  public long queuedBytes() {
    lock.lock();
    try {
      return queuedBytes;
    } finally {
      lock.unlock();
    }
  }

  public SubscriberInfo info() {
    lock.lock();
    try {
      return new SubscriberInfo(
          id, request.description(), createdAt, request, queue.size(), queuedBytes, delivered);
    } finally {
      lock.unlock();
    }
  }

  /** Stops the subscription; queued events are dropped. Idempotent. */
  @Override
  public void close() {
    end(State.CLOSED, "closed by the subscriber");
  }

  void setStart(SubscriptionStart start) {
    this.start = start;
    this.lastDeliveredRev = start.rev();
  }

  /**
   * Queues an event (called by the store under its lock). Returns false when the subscriber is no
   * longer open, including when this event pushed it past its bounds.
   */
  boolean offer(VmEvent event) {
    if (catchingUp || !request.matches(event)) {
      // While catching up the event is read from the history later, in order.
      return state == State.OPEN;
    }
    Runnable notify;
    lock.lock();
    try {
      if (state != State.OPEN) {
        return false;
      }
      if (queue.size() + 1 > maxEvents || queuedBytes + event.lineLength() > maxBytes) {
        notify =
            endLocked(
                State.CUT_OFF,
                "subscriber fell behind: more than "
                    + maxEvents
                    + " events or "
                    + maxBytes
                    + " bytes queued; resume with since="
                    + lastQueuedOrDeliveredRev());
      } else {
        notify = appendLocked(event);
      }
    } finally {
      lock.unlock();
    }
    if (notify != null) {
      notify.run();
    }
    return state == State.OPEN;
  }

  /**
   * Appends to the queue and wakes a waiting reader (lock held). Returns the callback to run once
   * the lock is released when the queue was empty before, else null.
   */
  private Runnable appendLocked(VmEvent event) {
    boolean wasEmpty = queue.isEmpty();
    queue.addLast(event);
    queuedBytes += event.lineLength();
    nonEmpty.signalAll();
    return wasEmpty ? onAvailable : null;
  }

  boolean isCatchingUp() {
    return catchingUp;
  }

  long catchUpCursor() {
    return catchUpCursor;
  }

  /** Starts a resume: events after {@code since} will come from the history (store lock held). */
  void beginCatchUp(long since) {
    catchUpCursor = since;
    catchingUp = true;
  }

  /** Queues one replayed event; the store bounds the batch (store lock held). */
  void enqueueCatchUp(VmEvent event) {
    Runnable notify;
    lock.lock();
    try {
      if (state != State.OPEN) {
        return;
      }
      notify = appendLocked(event);
    } finally {
      lock.unlock();
    }
    if (notify != null) {
      notify.run();
    }
  }

  /** Records how far the replay got; {@code live} switches to live offers (store lock held). */
  void advanceCatchUp(long cursor, boolean live) {
    catchUpCursor = cursor;
    if (live) {
      catchingUp = false;
    }
  }

  /** Ends with a reason (store closing, or cut-off); idempotent. */
  void end(State newState, String reason) {
    Runnable notify;
    lock.lock();
    try {
      notify = endLocked(newState, reason);
    } finally {
      lock.unlock();
    }
    if (notify != null) {
      notify.run();
    }
  }

  private Runnable endLocked(State newState, String reason) {
    if (state != State.OPEN) {
      return null;
    }
    state = newState;
    endReason = reason;
    queue.clear();
    queuedBytes = 0;
    nonEmpty.signalAll();
    onClose.accept(this);
    return onAvailable;
  }

  private long lastQueuedOrDeliveredRev() {
    VmEvent last = queue.peekFirst();
    return last == null ? lastDeliveredRev : last.rev() - 1;
  }

  private VmEvent take() {
    VmEvent e = queue.pollFirst();
    if (e != null) {
      queuedBytes -= e.lineLength();
      delivered++;
      lastDeliveredRev = e.rev();
    }
    return e;
  }
}
