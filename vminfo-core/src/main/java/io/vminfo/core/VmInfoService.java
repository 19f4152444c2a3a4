package io.vminfo.core;

import io.vminfo.core.concurrent.NamedThreads;
import io.vminfo.core.time.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link VmStore} equal to what a {@link VmSource} reads from the host: a full initial load
 * (served without it when it is slow or fails, and retried until it succeeds), then the source's
 * partial reloads through one serial queue, and a periodic (and on-demand) full reconciliation that
 * emits corrective events.
 *
 * <p>The queue runs one task at a time. Identical pending tasks coalesce. A task that runs past the
 * task timeout is abandoned: interrupted, logged, its late result ignored, and the queue moves on.
 * A reload that fails records an error and leaves every other VM alone.
 */
public final class VmInfoService implements ReloadQueue, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VmInfoService.class);
  private static final String RECONCILE_KEY = "reconcile";
  private static final String INITIAL_LOAD_KEY = "initial-load";
  private static final int MAX_RECENT_FAILURES = 20;
  private static final int MAX_VM_ERRORS = 1000;

  private final VmSource source;
  private final VmStore store;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final boolean ownsExecutors;
  private final Duration reconcileInterval;
  private final Duration taskTimeout;
  private final Duration initialLoadTimeout;
  private final Duration initialLoadWait;
  private final Duration initialLoadRetry;
  private final ReloadObserver observer;
  private final VmLookup lookup;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final Condition readyOrClosed = lock.newCondition();
  private final CompletableFuture<Void> initialLoadComplete = new CompletableFuture<>();
  private final LinkedHashMap<String, Task> pending = new LinkedHashMap<>();
  private final LinkedHashMap<String, VmLoadError> vmErrors = new LinkedHashMap<>();
  private final ArrayDeque<ServiceStatus.TaskFailure> recentFailures = new ArrayDeque<>();
  private Running running;
  private ServiceStatus.InitialLoad initialLoad;

  /**
   * Set under the lock when a full load completes the initial load, until {@link
   * #initialLoadComplete} is completed outside it (the service is not idle before).
   */
  private boolean announceInitialLoad;

  private boolean paused = true;
  private boolean started;
  private boolean closed;
  private ScheduledFuture<?> periodic;
  private Instant lastRefresh;
  private Duration lastRefreshDuration;
  private long refreshes;
  private long completed;
  private long failed;
  private long abandoned;
  private long coalesced;

  private VmInfoService(Builder b) {
    this.source = b.source;
    this.store = b.store;
    this.clock = b.clock;
    this.ownsExecutors = b.scheduler == null;
    this.scheduler =
        b.scheduler != null
            ? b.scheduler
            : Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("vminfo-scheduler"));
    this.workers =
        b.workers != null
            ? b.workers
            : Executors.newCachedThreadPool(NamedThreads.daemon("vminfo-reload"));
    this.reconcileInterval = b.reconcileInterval;
    this.taskTimeout = b.taskTimeout;
    this.initialLoadTimeout = b.initialLoadTimeout;
    this.initialLoadWait = b.initialLoadWait;
    this.initialLoadRetry = b.initialLoadRetry;
    this.initialLoad = ServiceStatus.InitialLoad.loading(clock.instant());
    this.observer = b.observer;
    this.lookup = VmLookup.of(store);
  }

  public static Builder builder(VmSource source, VmStore store) {
    return new Builder(source, store);
  }

  /**
   * Starts the source's watchers and the initial full load, and returns once the store is ready to
   * serve: when the load has finished (the store then holds every VM, without events), or after the
   * initial load wait even if it has not (the store is ready empty, the load goes on, and what it
   * finds arrives as create events), or when it failed (ready empty; it is tried again every
   * initial load retry until a full load succeeds). {@link #status()} says which ({@link
   * ServiceStatus.InitialLoad}). Changes seen during the load are applied after it. Only a source
   * that cannot start fails this.
   */
  public void start() throws Exception {
    lock.lock();
    try {
      if (started || closed) {
        throw new IllegalStateException("start() may be called once, before close()");
      }
      started = true;
    } finally {
      lock.unlock();
    }
    source.start(this);
    Instant began = clock.instant();
    lock.lock();
    try {
      initialLoad = ServiceStatus.InitialLoad.loading(began);
    } finally {
      lock.unlock();
    }
    // Scheduled before the load starts, so whoever sees the load running (a test driving a manual
    // scheduler) also finds the wait's timer there.
    ScheduledFuture<?> serveAnyway =
        scheduler.schedule(
            () ->
                serveWithoutTheLoad(
                    "it has taken longer than " + initialLoadWait.toMillis() + " ms"),
            initialLoadWait.toMillis(),
            TimeUnit.MILLISECONDS);
    lock.lock();
    try {
      LinkedHashMap<String, Task> queued = new LinkedHashMap<>(pending);
      pending.clear();
      pending.put(INITIAL_LOAD_KEY, new FullLoadTask("initial load", true));
      pending.putAll(queued);
      paused = false;
      startNextLocked();
    } finally {
      lock.unlock();
    }
    // The scheduler should end this wait; the cap is for one that never runs the task.
    long nanos = initialLoadWait.plusMinutes(1).toNanos();
    lock.lock();
    try {
      while ((!store.isReady() || announceInitialLoad) && !closed && nanos > 0) {
        nanos = readyOrClosed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
    serveAnyway.cancel(false);
    if (!store.isReady()) {
      serveWithoutTheLoad("the initial load wait passed");
    }
    long every = reconcileInterval.toMillis();
    periodic =
        scheduler.scheduleAtFixedRate(
            () -> requestReconcile("periodic"), every, every, TimeUnit.MILLISECONDS);
  }

  /** Makes the store ready (empty) while the initial load is still running or has failed. */
  private void serveWithoutTheLoad(String why) {
    lock.lock();
    try {
      if (closed || store.isReady()) {
        return;
      }
      store.initialize(List.of());
      log.warn(
          "serving before the initial load of {} is complete ({}): VMs appear as it loads"
              + " them, /status says initialLoad {}",
          source.name(),
          why,
          initialLoad.state().wireName());
      readyOrClosed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Completes when a full load of the host has been applied to the store for the first time (at
   * once when that already happened). It completes on a reload worker, outside the service's lock:
   * dependents that take long should run asynchronously.
   */
  public CompletableFuture<Void> initialLoadComplete() {
    return initialLoadComplete.copy();
  }

  @Override
  public void submit(Reload reload) {
    Objects.requireNonNull(reload, "reload");
    enqueue(new PartialTask(reload));
  }

  @Override
  public void requestReconcile(String reason) {
    enqueue(new FullLoadTask(reason, false));
  }

  /**
   * Waits until the queue is empty and nothing runs (for tests and orderly shutdown). Returns false
   * if that did not happen within {@code timeout}.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (paused || running != null || !pending.isEmpty() || announceInitialLoad) {
        if (closed) {
          return pending.isEmpty() && running == null;
        }
        if (nanos <= 0) {
          return false;
        }
        nanos = idle.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  public VmStore store() {
    return store;
  }

  public String backend() {
    return source.name();
  }

  public ServiceStatus status() {
    List<SubscriberInfo> subscribers = store.subscribers();
    VmStore.Stats stats = store.stats();
    lock.lock();
    try {
      return new ServiceStatus(
          source.name(),
          store.isReady(),
          pending.size(),
          new ArrayList<>(pending.keySet()),
          Optional.ofNullable(running)
              .map(r -> new ServiceStatus.RunningTask(r.task.key(), r.since)),
          Optional.ofNullable(lastRefresh),
          Optional.ofNullable(lastRefreshDuration),
          refreshes,
          completed,
          failed,
          abandoned,
          coalesced,
          new ArrayList<>(vmErrors.values()),
          new ArrayList<>(recentFailures),
          stats,
          subscribers,
          initialLoad);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the queue, the periodic reconciliation and the source. The store is left to its owner.
   */
  @Override
  public void close() {
    Running wasRunning;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      pending.clear();
      wasRunning = running;
      running = null;
      if (periodic != null) {
        periodic.cancel(false);
      }
      idle.signalAll();
      readyOrClosed.signalAll();
    } finally {
      lock.unlock();
    }
    if (wasRunning != null) {
      wasRunning.cancel();
    }
    try {
      source.close();
    } catch (RuntimeException e) {
      log.warn("closing source {} failed", source.name(), e);
    }
    if (ownsExecutors) {
      scheduler.shutdownNow();
      workers.shutdownNow();
      try {
        if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
          log.warn("reload workers did not stop within 5 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void enqueue(Task task) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (pending.containsKey(task.key())) {
        coalesced++;
        return;
      }
      pending.put(task.key(), task);
      startNextLocked();
    } finally {
      lock.unlock();
    }
  }

  private void startNextLocked() {
    if (paused || closed || running != null || pending.isEmpty()) {
      if (running == null && (pending.isEmpty() || closed)) {
        idle.signalAll();
      }
      return;
    }
    Iterator<Map.Entry<String, Task>> first = pending.entrySet().iterator();
    Task task = first.next().getValue();
    first.remove();
    Running r = new Running(task, clock.instant());
    running = r;
    r.future = new FutureTask<>(() -> task.run(lookup));
    r.timeout =
        scheduler.schedule(() -> onTimeout(r), task.timeout().toMillis(), TimeUnit.MILLISECONDS);
    workers.execute(
        () -> {
          r.future.run();
          onFinished(r);
        });
  }

  private void onFinished(Running r) {
    boolean announce;
    lock.lock();
    try {
      if (running != r) {
        if (!closed) {
          log.warn("late result of abandoned task {} ignored", r.task.key());
        }
        return;
      }
      running = null;
      r.timeout.cancel(false);
      Duration took = Duration.between(r.since, clock.instant());
      try {
        Object result = r.future.get();
        r.task.apply(result);
        completed++;
        observer.taskFinished(r.task.key(), took, ReloadObserver.Outcome.APPLIED);
      } catch (ExecutionException | RuntimeException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        failed++;
        recordFailure(
            new ServiceStatus.TaskFailure(
                r.task.key(), String.valueOf(cause), clock.instant(), false));
        log.error("reload task {} failed", r.task.key(), cause);
        observer.taskFinished(r.task.key(), took, ReloadObserver.Outcome.FAILED);
        r.task.failed(String.valueOf(cause));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      startNextLocked();
    } finally {
      announce = announceInitialLoad;
      lock.unlock();
    }
    if (announce) {
      initialLoadComplete.complete(null);
      lock.lock();
      try {
        announceInitialLoad = false;
        idle.signalAll();
        readyOrClosed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void onTimeout(Running r) {
    lock.lock();
    try {
      if (running != r) {
        return;
      }
      running = null;
      abandoned++;
      String message = "abandoned after " + r.task.timeout().toMillis() + " ms";
      recordFailure(new ServiceStatus.TaskFailure(r.task.key(), message, clock.instant(), true));
      log.error("reload task {} {}; the queue moves on", r.task.key(), message);
      observer.taskFinished(
          r.task.key(),
          Duration.between(r.since, clock.instant()),
          ReloadObserver.Outcome.ABANDONED);
      r.task.failed(message);
      startNextLocked();
    } finally {
      lock.unlock();
    }
    r.cancel();
  }

  private void recordFailure(ServiceStatus.TaskFailure failure) {
    recentFailures.addLast(failure);
    while (recentFailures.size() > MAX_RECENT_FAILURES) {
      recentFailures.removeFirst();
    }
  }

  private void replaceErrors(List<VmLoadError> errors) {
    vmErrors.clear();
    addErrors(errors);
  }

  private void addErrors(List<VmLoadError> errors) {
    for (VmLoadError e : errors) {
      vmErrors.remove(e.key());
      vmErrors.put(e.key(), e);
    }
    Iterator<String> oldest = vmErrors.keySet().iterator();
    while (vmErrors.size() > MAX_VM_ERRORS && oldest.hasNext()) {
      oldest.next();
      oldest.remove();
    }
  }

  /** A queued unit of work: {@link #run} off the lock, {@link #apply} under it. */
  private interface Task {
    String key();

    Object run(VmLookup lookup) throws Exception;

    void apply(Object result);

    /** How long it may run before it is abandoned. */
    Duration timeout();

    /** Called under the lock when it threw or was abandoned (after the failure is recorded). */
    default void failed(String message) {}
  }

  private final class PartialTask implements Task {
    private final Reload reload;

    PartialTask(Reload reload) {
      this.reload = reload;
    }

    @Override
    public String key() {
      return reload.key();
    }

    @Override
    public Duration timeout() {
      return taskTimeout;
    }

    @Override
    public Object run(VmLookup lookup) throws Exception {
      ReloadResult result = reload.run(lookup);
      if (result == null) {
        throw new IllegalStateException("reload " + reload.key() + " returned null");
      }
      return result;
    }

    @Override
    public void apply(Object raw) {
      ReloadResult result = (ReloadResult) raw;
      for (String key : result.clearedErrors()) {
        vmErrors.remove(key);
      }
      for (String uuid : result.removals()) {
        store.remove(uuid);
      }
      for (Vm vm : result.upserts()) {
        store.put(vm);
      }
      addErrors(result.errors());
      for (VmLoadError e : result.errors()) {
        log.warn("could not load {}: {}", e.key(), e.message());
      }
    }
  }

  /**
   * A full load: the initial one (and its retries until one succeeds) or a reconciliation. The
   * first to succeed fills the store without events if nothing is served yet, and completes the
   * initial load; every later one corrects the store with events.
   */
  private final class FullLoadTask implements Task {
    private final String reason;
    private final boolean initialAttempt;

    FullLoadTask(String reason, boolean initialAttempt) {
      this.reason = reason;
      this.initialAttempt = initialAttempt;
    }

    @Override
    public String key() {
      return initialAttempt ? INITIAL_LOAD_KEY : RECONCILE_KEY;
    }

    @Override
    public Duration timeout() {
      return initialAttempt ? initialLoadTimeout : taskTimeout;
    }

    @Override
    public Object run(VmLookup lookup) throws Exception {
      Instant began = clock.instant();
      return new Timed<>(source.loadAll(), began);
    }

    @Override
    public void apply(Object raw) {
      @SuppressWarnings("unchecked")
      Timed<LoadResult> timed = (Timed<LoadResult>) raw;
      LoadResult result = timed.value;
      List<VmLoadError> errors = result.errors();
      List<VmEvent> corrections;
      if (store.isReady()) {
        corrections =
            store.reconcile(result.vms(), vm -> errors.stream().anyMatch(e -> e.concerns(vm)));
      } else {
        store.initialize(result.vms());
        corrections = List.of();
      }
      replaceErrors(errors);
      Instant now = clock.instant();
      lastRefresh = now;
      lastRefreshDuration = Duration.between(timed.began, now);
      refreshes++;
      if (initialLoad.state() != ServiceStatus.InitialLoad.State.COMPLETE) {
        initialLoad = initialLoad.completed(now);
        announceInitialLoad = true;
        readyOrClosed.signalAll();
        log.info(
            "initial load of {}: {} VMs, {} errors in {} ms ({} attempt(s))",
            source.name(),
            result.vms().size(),
            errors.size(),
            Duration.between(initialLoad.since(), now).toMillis(),
            initialLoad.attempts());
        for (VmLoadError e : errors) {
          log.warn("could not load {}: {}", e.key(), e.message());
        }
      } else if (!corrections.isEmpty()) {
        log.info("reconciliation ({}) corrected {} VMs", reason, corrections.size());
      } else {
        log.debug("reconciliation ({}) found nothing to correct", reason);
      }
    }

    @Override
    public void failed(String message) {
      if (!initialAttempt
          || closed
          || initialLoad.state() == ServiceStatus.InitialLoad.State.COMPLETE) {
        return;
      }
      Instant next = clock.instant().plus(initialLoadRetry);
      initialLoad = initialLoad.failed(message, next);
      log.error(
          "initial load of {} failed (attempt {}): {}; serving what is loaded, trying again"
              + " in {} ms",
          source.name(),
          initialLoad.attempts(),
          message,
          initialLoadRetry.toMillis());
      serveWithoutTheLoad("it failed");
      scheduler.schedule(
          VmInfoService.this::retryInitialLoad, initialLoadRetry.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void retryInitialLoad() {
    lock.lock();
    try {
      if (closed || initialLoad.state() == ServiceStatus.InitialLoad.State.COMPLETE) {
        return;
      }
      initialLoad = initialLoad.retrying();
    } finally {
      lock.unlock();
    }
    enqueue(new FullLoadTask("initial load retry", true));
  }

  private record Timed<T>(T value, Instant began) {}

  private static final class Running {
    final Task task;
    final Instant since;
    FutureTask<Object> future;
    ScheduledFuture<?> timeout;

    Running(Task task, Instant since) {
      this.task = task;
      this.since = since;
    }

    void cancel() {
      Future<?> f = future;
      if (f != null) {
        f.cancel(true);
      }
      if (timeout != null) {
        timeout.cancel(false);
      }
    }
  }

  /** Configures a service. Defaults: reconcile every 5 min, tasks abandoned after 60 s. */
  public static final class Builder {
    private final VmSource source;
    private final VmStore store;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private ExecutorService workers;
    private Duration reconcileInterval = Duration.ofMinutes(5);
    private Duration taskTimeout = Duration.ofSeconds(60);
    private Duration initialLoadTimeout = Duration.ofMinutes(5);
    private Duration initialLoadWait = Duration.ofSeconds(10);
    private Duration initialLoadRetry = Duration.ofSeconds(15);
    private ReloadObserver observer = ReloadObserver.NONE;

    private Builder(VmSource source, VmStore store) {
      this.source = Objects.requireNonNull(source, "source");
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Runs the task timeouts and periodic reconciliation on {@code scheduler} and tasks on {@code
     * workers}; both stay owned by the caller. By default the service owns its own.
     */
    public Builder executors(ScheduledExecutorService scheduler, ExecutorService workers) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      this.workers = Objects.requireNonNull(workers, "workers");
      return this;
    }

    public Builder reconcileInterval(Duration interval) {
      this.reconcileInterval = Durations.requirePositive(interval, "reconcileInterval");
      return this;
    }

    public Builder taskTimeout(Duration timeout) {
      this.taskTimeout = Durations.requirePositive(timeout, "taskTimeout");
      return this;
    }

    /** How long one initial load attempt may run before it is abandoned (default 5 min). */
    public Builder initialLoadTimeout(Duration timeout) {
      this.initialLoadTimeout = Durations.requirePositive(timeout, "initialLoadTimeout");
      return this;
    }

    /**
     * How long {@link #start()} waits for the initial load before the store is served without it
     * (default 10 s).
     */
    public Builder initialLoadWait(Duration wait) {
      this.initialLoadWait = Durations.requirePositive(wait, "initialLoadWait");
      return this;
    }

    /** How long after a failed initial load it is tried again (default 15 s). */
    public Builder initialLoadRetry(Duration retry) {
      this.initialLoadRetry = Durations.requirePositive(retry, "initialLoadRetry");
      return this;
    }

    public Builder observer(ReloadObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    public VmInfoService build() {
      return new VmInfoService(this);
    }
  }
}
