package io.vminfo.core;

import io.vminfo.core.internal.NamedThreads;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link VmStore} equal to what a {@link VmSource} reads from the host: a full initial
 * load before the store is ready, then the source's partial reloads through one serial queue, and
 * a periodic (and on-demand) full reconciliation that emits corrective events.
 *
 * <p>The queue runs one task at a time. Identical pending tasks coalesce. A task that runs past
 * the task timeout is abandoned: interrupted, logged, its late result ignored, and the queue moves
 * on. A reload that fails records an error and leaves every other VM alone.
 */
public final class VmInfoService implements ReloadQueue, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VmInfoService.class);
  private static final String RECONCILE_KEY = "reconcile";
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
  private final ReloadObserver observer;
  private final VmLookup lookup;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final LinkedHashMap<String, Task> pending = new LinkedHashMap<>();
  private final LinkedHashMap<String, VmLoadError> vmErrors = new LinkedHashMap<>();
  private final ArrayDeque<ServiceStatus.TaskFailure> recentFailures = new ArrayDeque<>();
  private Running running;
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
    this.scheduler = b.scheduler != null
        ? b.scheduler
        : Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("vminfo-scheduler"));
    this.workers = b.workers != null
        ? b.workers
        : Executors.newCachedThreadPool(NamedThreads.daemon("vminfo-reload"));
    this.reconcileInterval = b.reconcileInterval;
    this.taskTimeout = b.taskTimeout;
    this.initialLoadTimeout = b.initialLoadTimeout;
    this.observer = b.observer;
    this.lookup = VmLookup.of(store);
  }

  public static Builder builder(VmSource source, VmStore store) {
    return new Builder(source, store);
  }

  /**
   * Starts the source's watchers, loads every VM (blocking, up to the initial load timeout),
   * initializes the store (no events), then processes queued changes and schedules periodic
   * reconciliation. Changes seen during the load are applied after it.
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
    FutureTask<LoadResult> load = new FutureTask<>(source::loadAll);
    workers.execute(load);
    LoadResult result;
    try {
      result = load.get(initialLoadTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      load.cancel(true);
      throw new TimeoutException(
          "initial load of " + source.name() + " took longer than " + initialLoadTimeout);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
    store.initialize(result.vms());
    lock.lock();
    try {
      replaceErrors(result.errors());
      lastRefresh = clock.instant();
      lastRefreshDuration = Duration.between(began, lastRefresh);
      refreshes++;
      paused = false;
      startNextLocked();
    } finally {
      lock.unlock();
    }
    log.info("initial load of {}: {} VMs, {} errors in {} ms", source.name(), result.vms().size(),
        result.errors().size(), lastRefreshDuration.toMillis());
    for (VmLoadError e : result.errors()) {
      log.warn("could not load {}: {}", e.key(), e.message());
    }
    long every = reconcileInterval.toMillis();
    periodic = scheduler.scheduleAtFixedRate(
        () -> requestReconcile("periodic"), every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void submit(Reload reload) {
    Objects.requireNonNull(reload, "reload");
    enqueue(new PartialTask(reload));
  }

  @Override
  public void requestReconcile(String reason) {
    enqueue(new ReconcileTask(reason));
  }

  /**
   * Waits until the queue is empty and nothing runs (for tests and orderly shutdown). Returns false
   * if that did not happen within {@code timeout}.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (paused || running != null || !pending.isEmpty()) {
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
          Optional.ofNullable(running).map(r -> new ServiceStatus.RunningTask(r.task.key(), r.since)),
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
          subscribers);
    } finally {
      lock.unlock();
    }
  }

  /** Stops the queue, the periodic reconciliation and the source. The store is left to its owner. */
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
    r.timeout = scheduler.schedule(() -> onTimeout(r), taskTimeout.toMillis(), TimeUnit.MILLISECONDS);
    workers.execute(() -> {
      r.future.run();
      onFinished(r);
    });
  }

  private void onFinished(Running r) {
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
        recordFailure(new ServiceStatus.TaskFailure(
            r.task.key(), String.valueOf(cause), clock.instant(), false));
        log.error("reload task {} failed", r.task.key(), cause);
        observer.taskFinished(r.task.key(), took, ReloadObserver.Outcome.FAILED);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      startNextLocked();
    } finally {
      lock.unlock();
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
      String message = "abandoned after " + taskTimeout.toMillis() + " ms";
      recordFailure(new ServiceStatus.TaskFailure(r.task.key(), message, clock.instant(), true));
      log.error("reload task {} {}; the queue moves on", r.task.key(), message);
      observer.taskFinished(
          r.task.key(), Duration.between(r.since, clock.instant()), ReloadObserver.Outcome.ABANDONED);
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

  private final class ReconcileTask implements Task {
    private final String reason;

    ReconcileTask(String reason) {
      this.reason = reason;
    }

    @Override
    public String key() {
      return RECONCILE_KEY;
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
      List<VmEvent> corrections = store.reconcile(
          result.vms(), vm -> errors.stream().anyMatch(e -> e.concerns(vm)));
      replaceErrors(errors);
      Instant now = clock.instant();
      lastRefresh = now;
      lastRefreshDuration = Duration.between(timed.began, now);
      refreshes++;
      if (!corrections.isEmpty()) {
        log.info("reconciliation ({}) corrected {} VMs", reason, corrections.size());
      } else {
        log.debug("reconciliation ({}) found nothing to correct", reason);
      }
    }
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
     * Runs the task timeouts and periodic reconciliation on {@code scheduler} and tasks on
     * {@code workers}; both stay owned by the caller. By default the service owns its own.
     */
    public Builder executors(ScheduledExecutorService scheduler, ExecutorService workers) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      this.workers = Objects.requireNonNull(workers, "workers");
      return this;
    }

    public Builder reconcileInterval(Duration interval) {
      this.reconcileInterval = positive(interval, "reconcileInterval");
      return this;
    }

    public Builder taskTimeout(Duration timeout) {
      this.taskTimeout = positive(timeout, "taskTimeout");
      return this;
    }

    public Builder initialLoadTimeout(Duration timeout) {
      this.initialLoadTimeout = positive(timeout, "initialLoadTimeout");
      return this;
    }

    public Builder observer(ReloadObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    public VmInfoService build() {
      return new VmInfoService(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
