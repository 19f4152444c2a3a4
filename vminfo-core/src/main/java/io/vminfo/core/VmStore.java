package io.vminfo.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current VMs of a host, keyed by uuid (and findable by zonename), with a revision that grows
 * by exactly 1 per create, modify or delete event, a bounded history of recent events for resuming
 * subscribers, and subscriptions (DESIGN section 4).
 *
 * <p>Reads are lock-free. Writes and subscribes are serialized by one lock, which is what makes a
 * snapshot plus the events after it gap-free and overlap-free. Each event is serialized once.
 */
public final class VmStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VmStore.class);

  /**
   * Most history events a catching-up subscriber's refill looks at per call (filters skip many).
   */
  private static final int REFILL_SCAN_LIMIT = 4096;

  private final Clock clock;
  private final String epoch;
  private final int subscriberMaxEvents;
  private final long subscriberMaxBytes;
  private final DiffOptions diffOptions;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final ConcurrentSkipListMap<String, Vm> byUuid = new ConcurrentSkipListMap<>();
  private final ConcurrentHashMap<String, String> uuidByZonename = new ConcurrentHashMap<>();
  private final EventHistory history;
  private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<VmEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Map<VmEventType, AtomicLong> eventCounts = new EnumMap<>(VmEventType.class);
  private final AtomicLong cutOffs = new AtomicLong();
  private volatile long revision;
  private volatile boolean ready;
  private volatile boolean closed;

  private VmStore(Builder b) {
    this.clock = b.clock;
    this.epoch = b.epoch;
    this.history = new EventHistory(b.historyLimit, b.historyMaxBytes);
    this.subscriberMaxEvents = b.subscriberMaxEvents;
    this.subscriberMaxBytes = b.subscriberMaxBytes;
    this.diffOptions = b.diffOptions;
    for (VmEventType t : VmEventType.values()) {
      eventCounts.put(t, new AtomicLong());
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A random id of this store instance (one agent run); resumes across runs need a resync. */
  public String epoch() {
    return epoch;
  }

  /** The revision of the last event; 0 before any. */
  public long revision() {
    return revision;
  }

  /** Whether the initial load has completed. */
  public boolean isReady() {
    return ready;
  }

  /**
   * Loads the initial VM set without emitting events (like vminfod, nobody is listening before the
   * first load) and marks the store ready. Allowed once, before any other write.
   */
  public void initialize(Collection<Vm> vms) {
    writeLock.lock();
    try {
      requireOpen();
      if (ready || revision != 0 || !byUuid.isEmpty()) {
        throw new IllegalStateException("the store is already initialized");
      }
      for (Vm vm : vms) {
        index(vm, Optional.empty());
      }
      ready = true;
    } finally {
      writeLock.unlock();
    }
  }

  public Optional<Vm> get(String uuid) {
    return Optional.ofNullable(byUuid.get(uuid));
  }

  public Optional<Vm> getByZonename(String zonename) {
    String uuid = uuidByZonename.get(zonename);
    return uuid == null ? Optional.empty() : get(uuid);
  }

  /** By uuid first, then by zonename (vminfod's {@code /vms/:id} lookup). */
  public Optional<Vm> find(String uuidOrZonename) {
    Optional<Vm> vm = get(uuidOrZonename);
    return vm.isPresent() ? vm : getByZonename(uuidOrZonename);
  }

  /** All VMs, sorted by uuid. */
  public List<Vm> list() {
    return List.copyOf(byUuid.values());
  }

  public int size() {
    return byUuid.size();
  }

  /** All VMs and the revision they are at, taken atomically. */
  public Snapshot snapshot() {
    writeLock.lock();
    try {
      return new Snapshot(revision, List.copyOf(byUuid.values()));
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Creates or replaces a VM. Returns the create or modify event, or empty when nothing changed (a
   * modify is only emitted with a non-empty change list).
   */
  public Optional<VmEvent> put(Vm vm) {
    Objects.requireNonNull(vm, "vm");
    writeLock.lock();
    try {
      requireOpen();
      return Optional.ofNullable(putLocked(vm));
    } finally {
      writeLock.unlock();
    }
  }

  /** Deletes a VM; returns the delete event, or empty when it was not there. */
  public Optional<VmEvent> remove(String uuid) {
    Objects.requireNonNull(uuid, "uuid");
    writeLock.lock();
    try {
      requireOpen();
      return Optional.ofNullable(removeLocked(uuid));
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Makes the store equal to {@code truth}: creates and modifies what differs, and deletes VMs not
   * in it unless {@code keep} says otherwise (e.g. a VM whose file failed to load keeps its last
   * good state). Returns the corrective events in the order emitted.
   */
  public List<VmEvent> reconcile(Collection<Vm> truth, Predicate<Vm> keep) {
    Objects.requireNonNull(truth, "truth");
    Objects.requireNonNull(keep, "keep");
    writeLock.lock();
    try {
      requireOpen();
      List<VmEvent> events = new ArrayList<>();
      Map<String, Vm> wanted = new LinkedHashMap<>();
      for (Vm vm : truth) {
        wanted.put(vm.uuid(), vm);
      }
      for (Vm existing : byUuid.values()) {
        if (!wanted.containsKey(existing.uuid()) && !keep.test(existing)) {
          VmEvent e = removeLocked(existing.uuid());
          if (e != null) {
            events.add(e);
          }
        }
      }
      for (Vm vm : wanted.values()) {
        VmEvent e = putLocked(vm);
        if (e != null) {
          events.add(e);
        }
      }
      return List.copyOf(events);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Subscribes atomically with respect to writes: the start (snapshot or resume point) and the
   * queued events after it have no gap and no overlap.
   */
  public Subscription subscribe(SubscribeRequest request) {
    Objects.requireNonNull(request, "request");
    writeLock.lock();
    try {
      requireOpen();
      Subscription sub =
          new Subscription(
              UUID.randomUUID().toString(),
              request,
              clock.instant(),
              subscriberMaxEvents,
              subscriberMaxBytes,
              subscriptions::remove,
              this::refill);
      Optional<String> resyncReason = Optional.empty();
      if (request.since().isPresent()) {
        resyncReason = resumeProblem(request);
        if (resyncReason.isEmpty()) {
          // Replayed from the history in batches as the subscriber reads, so a backlog larger than
          // its buffer (e.g. after a cut-off) still resumes without a snapshot.
          long since = request.since().getAsLong();
          sub.setStart(new SubscriptionStart.Resumed(since));
          sub.beginCatchUp(since);
          refillLocked(sub);
        }
      }
      if (request.since().isEmpty() || resyncReason.isPresent()) {
        List<Vm> vms = new ArrayList<>();
        for (Vm vm : byUuid.values()) {
          if (request.matches(vm)) {
            vms.add(vm);
          }
        }
        sub.setStart(new SubscriptionStart.Snapshot(vms, revision, resyncReason));
      }
      subscriptions.add(sub);
      return sub;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Registers a listener called synchronously, under the store's write lock, for every event in
   * order. It must be quick and must not call back into the store's write methods. Close the
   * returned handle to remove it.
   */
  public AutoCloseable addListener(Consumer<VmEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  public List<SubscriberInfo> subscribers() {
    List<SubscriberInfo> out = new ArrayList<>(subscriptions.size());
    for (Subscription s : subscriptions) {
      out.add(s.info());
    }
    return out;
  }

  public Stats stats() {
    writeLock.lock();
    try {
      long oldest = history.isEmpty() ? revision : history.oldestRev();
      return new Stats(
          revision,
          byUuid.size(),
          eventCounts.get(VmEventType.CREATE).get(),
          eventCounts.get(VmEventType.MODIFY).get(),
          eventCounts.get(VmEventType.DELETE).get(),
          history.size(),
          history.bytes(),
          oldest,
          subscriptions.size(),
          cutOffs.get());
    } finally {
      writeLock.unlock();
    }
  }

  /** Closes every subscription; later writes fail. */
  @Override
  public void close() {
    writeLock.lock();
    try {
      closed = true;
    } finally {
      writeLock.unlock();
    }
    for (Subscription s : subscriptions) {
      s.end(Subscription.State.CLOSED, "the store is closing");
    }
  }

  /** Called by a catching-up subscription whose queue ran dry (never under its own lock). */
  private void refill(Subscription sub) {
    writeLock.lock();
    try {
      refillLocked(sub);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Moves the next batch of a catching-up subscriber's events from the history into its queue, and
   * switches it to live delivery once it reaches the current revision (under the write lock, so no
   * event falls between the two). If the history no longer holds what it needs, it is cut off.
   */
  private void refillLocked(Subscription sub) {
    if (!sub.isCatchingUp() || sub.state() != Subscription.State.OPEN) {
      return;
    }
    long cursor = sub.catchUpCursor();
    if (!history.holdsAfter(cursor, revision)) {
      cutOffs.incrementAndGet();
      sub.end(
          Subscription.State.CUT_OFF,
          "subscriber fell behind the history kept while catching"
              + " up; resume with since="
              + cursor
              + " (a resync)");
      return;
    }
    int scanned = 0;
    int queued = 0;
    long queuedBytes = 0;
    int maxQueued = Math.max(1, subscriberMaxEvents / 2);
    long maxBytes = Math.max(1, subscriberMaxBytes / 2);
    while (cursor < revision && scanned < REFILL_SCAN_LIMIT && queued < maxQueued) {
      VmEvent e = history.at(cursor + 1);
      if (queued > 0 && queuedBytes + e.lineLength() > maxBytes) {
        break;
      }
      if (sub.request().matches(e)) {
        sub.enqueueCatchUp(e);
        queued++;
        queuedBytes += e.lineLength();
      }
      cursor++;
      scanned++;
    }
    sub.advanceCatchUp(cursor, cursor == revision);
  }

  private Optional<String> resumeProblem(SubscribeRequest request) {
    long since = request.since().getAsLong();
    if (request.epoch().isEmpty()) {
      return Optional.of("resume needs the epoch of the run it came from");
    }
    if (!request.epoch().get().equals(epoch)) {
      return Optional.of("epoch " + request.epoch().get() + " is not this run (" + epoch + ")");
    }
    if (since > revision) {
      return Optional.of("revision " + since + " is ahead of the store (" + revision + ")");
    }
    if (!history.holdsAfter(since, revision)) {
      long oldestKept = history.oldestRev();
      return Optional.of(
          "revision " + since + " is older than the history kept (from " + (oldestKept - 1) + ")");
    }
    return Optional.empty();
  }

  private VmEvent putLocked(Vm vm) {
    Vm old = byUuid.get(vm.uuid());
    VmEvent event;
    if (old == null) {
      event = VmEvent.create(revision + 1, clock.instant(), vm);
    } else {
      if (old.equals(vm)) {
        return null;
      }
      List<Change> changes = DiffEngine.diff(old.tree(), vm.tree(), diffOptions, false);
      if (changes.isEmpty()) {
        // Equal under diff semantics (key or array order only): keep the new bytes, emit nothing,
        // as vminfod does.
        index(vm, Optional.of(old));
        return null;
      }
      event = VmEvent.modify(revision + 1, clock.instant(), vm, changes);
    }
    index(vm, Optional.ofNullable(old));
    publish(event);
    return event;
  }

  private VmEvent removeLocked(String uuid) {
    Vm old = byUuid.remove(uuid);
    if (old == null) {
      return null;
    }
    old.zonename().ifPresent(z -> uuidByZonename.remove(z, uuid));
    VmEvent event = VmEvent.delete(revision + 1, clock.instant(), uuid, old.zonename());
    publish(event);
    return event;
  }

  private void index(Vm vm, Optional<Vm> old) {
    old.flatMap(Vm::zonename).ifPresent(z -> uuidByZonename.remove(z, vm.uuid()));
    byUuid.put(vm.uuid(), vm);
    vm.zonename().ifPresent(z -> uuidByZonename.put(z, vm.uuid()));
  }

  private void publish(VmEvent event) {
    revision = event.rev();
    eventCounts.get(event.type()).incrementAndGet();
    history.add(event);
    for (Subscription s : subscriptions) {
      if (!s.offer(event) && s.state() == Subscription.State.CUT_OFF) {
        cutOffs.incrementAndGet();
        log.warn(
            "feed subscriber {} ({}) cut off: {}",
            s.id(),
            s.request().description(),
            s.endReason().orElse(""));
      }
    }
    for (Consumer<VmEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        log.error("store listener failed on event rev {}", event.rev(), e);
      }
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the store is closed");
    }
  }

  /** The VMs and the revision they are at. */
  public record Snapshot(long rev, List<Vm> vms) {
    public Snapshot {
      vms = List.copyOf(vms);
    }
  }

  /** Counters for status and metrics. */
  public record Stats(
      long revision,
      int vms,
      long creates,
      long modifies,
      long deletes,
      int historyEvents,
      long historyBytes,
      long oldestHistoryRev,
      int subscribers,
      long subscribersCutOff) {}

  /** Builds a store; defaults suit an agent with up to about 10,000 VMs. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private String epoch = UUID.randomUUID().toString();
    private int historyLimit = 10_000;
    private long historyMaxBytes = 64L * 1024 * 1024;
    private int subscriberMaxEvents = 10_000;
    private long subscriberMaxBytes = 32L * 1024 * 1024;
    private DiffOptions diffOptions = DiffOptions.VM;

    private Builder() {}

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Fixed epoch, for tests; by default a random UUID per store. */
    public Builder epoch(String epoch) {
      if (epoch == null || epoch.isEmpty()) {
        throw new IllegalArgumentException("epoch must be non-empty");
      }
      this.epoch = epoch;
      return this;
    }

    /** How many recent events are kept for resume (and at most how many bytes of them). */
    public Builder history(int events, long maxBytes) {
      if (events < 1 || maxBytes < 1) {
        throw new IllegalArgumentException("history bounds must be positive");
      }
      this.historyLimit = events;
      this.historyMaxBytes = maxBytes;
      return this;
    }

    /** Per-subscriber buffer bounds; a subscriber past either is cut off. */
    public Builder subscriberBuffer(int events, long maxBytes) {
      if (events < 1 || maxBytes < 1) {
        throw new IllegalArgumentException("subscriber buffer bounds must be positive");
      }
      this.subscriberMaxEvents = events;
      this.subscriberMaxBytes = maxBytes;
      return this;
    }

    public Builder diffOptions(DiffOptions options) {
      this.diffOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    public VmStore build() {
      return new VmStore(this);
    }
  }
}
