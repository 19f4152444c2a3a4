package io.vminfo.usage;

import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.VmUsage;
import io.vminfo.core.concurrent.Backoff;
import io.vminfo.core.concurrent.NamedThreads;
import io.vminfo.usage.internal.FileChannels;
import io.vminfo.usage.internal.Ledger;
import io.vminfo.usage.internal.ProbeRunner;
import io.vminfo.usage.internal.Reporter;
import io.vminfo.usage.internal.Sampler;
import io.vminfo.usage.internal.Sealer;
import io.vminfo.usage.internal.Shipper;
import io.vminfo.usage.internal.Spool;
import io.vminfo.usage.internal.SpoolLayout;
import io.vminfo.usage.internal.StopReadings;
import io.vminfo.usage.internal.VmTracker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage recorder (DESIGN section 7): every interval it writes one {@code usage} record per VM
 * that existed during the interval plus a {@code summary} into the hourly file of the spool; after
 * each hour (plus grace) it seals the file (deterministic gzip, MD5 recorded) and uploads it to the
 * {@link ObjectStore}, oldest first, recording each confirmed upload in a ledger before deleting
 * the local copy.
 *
 * <pre>
 * UsageService usage = UsageService.builder()
 *     .store(vmStore).probe(probe)
 *     .spoolDir(Path.of("/var/opt/vminfo/usage")).serverUuid(host).datacenterName(dc)
 *     .objectStore(new LocalDirectoryStore(Path.of("/var/opt/vminfo/uploads")))
 *     .remotePath(RemotePathTemplate.defaultFor("local"))
 *     .listener(metrics)
 *     .build();
 * usage.start();          // recovers the spool (crash repair), then samples and ships
 * usage.status();         // for /status and metrics
 * usage.latestSamples();  // for GET /usage
 * usage.stop(Duration.ofSeconds(10)); // takes a last sample of the interval in progress
 * </pre>
 *
 * Threads: {@code usage-sampler}, {@code usage-shipper} and {@code usage-probe}, owned and stopped
 * by the service, unless a scheduler or probe executor is given to the builder (then they are the
 * caller's to shut down).
 */
public final class UsageService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UsageService.class);

  private final Builder config;
  private final Clock clock;
  private final Reporter reporter;
  private final Spool spool;
  private final Shipper shipper;
  private final Optional<Sampler> sampler;
  private final Optional<ProbeRunner> probeRunner;
  private final VmTracker tracker;
  private final StopReadings stopReadings = new StopReadings();
  private static final int MAX_PENDING_STOP_PROBES = 256;
  private final java.util.concurrent.atomic.AtomicInteger pendingStopProbes =
      new java.util.concurrent.atomic.AtomicInteger();
  private final ScheduledExecutorService samplerScheduler;
  private final ScheduledExecutorService shipperScheduler;
  private final ExecutorService probeExecutor;
  private final boolean ownsSchedulers;
  private final boolean ownsProbeExecutor;
  private final Object lock = new Object();
  private ScheduledFuture<?> sampleFuture;
  private ScheduledFuture<?> refreshFuture;
  private final java.util.concurrent.atomic.AtomicBoolean refreshPending =
      new java.util.concurrent.atomic.AtomicBoolean();
  private ScheduledFuture<?> shipFuture;
  private Instant shipAt;
  // Requests made while a round runs are folded into the round's successor: on a shared pool a
  // second round would only block on the shipper's lock and take a thread the sampler needs.
  private boolean shipping;
  private Instant shipRequestedDuringRound;
  private volatile boolean running;
  private boolean started;

  private UsageService(Builder b) {
    this.config = b;
    this.clock = b.clock;
    this.reporter = new Reporter(b.listener, b.clock);
    SpoolLayout layout = new SpoolLayout(b.spoolDir);
    Ledger ledger = new Ledger(layout.ledgerFile(), layout.corruptDir(), b.fileChannels);
    this.spool =
        new Spool(layout, b.fileChannels, ledger, b.clock, b.spoolCapBytes, b.retention, reporter);
    this.ownsSchedulers = b.scheduler == null;
    if (ownsSchedulers) {
      samplerScheduler =
          Executors.newSingleThreadScheduledExecutor(NamedThreads.named("usage-sampler"));
      shipperScheduler =
          Executors.newSingleThreadScheduledExecutor(NamedThreads.named("usage-shipper"));
    } else {
      samplerScheduler = b.scheduler;
      shipperScheduler = b.scheduler;
    }
    this.ownsProbeExecutor = b.probeExecutor == null;
    this.probeExecutor =
        ownsProbeExecutor
            ? Executors.newSingleThreadExecutor(NamedThreads.named("usage-probe"))
            : b.probeExecutor;
    this.shipper =
        new Shipper(
            spool,
            new Sealer(layout, b.fileChannels),
            b.objectStore,
            b.remotePath,
            b.clock,
            b.grace,
            b.interval,
            new Backoff(b.backoffInitial, b.backoffMax),
            b.jitter,
            b.parkedRetry,
            reporter);
    if (b.sampling) {
      ProbeRunner probes = new ProbeRunner(b.probe, probeExecutor, b.probeTimeout, reporter);
      probeRunner = Optional.of(probes);
      Clock clock = b.clock;
      tracker =
          new VmTracker(
              vm -> readAtStart(probes, clock, vm), last -> readAtStop(probes, clock, last));
      sampler =
          Optional.of(
              new Sampler(
                  tracker,
                  probes,
                  spool,
                  b.clock,
                  b.interval,
                  b.maxCatchUp,
                  b.serverUuid,
                  b.datacenterName,
                  reporter,
                  64L * 1024 * 1024,
                  stopReadings));
    } else {
      tracker = new VmTracker();
      sampler = Optional.empty();
      probeRunner = Optional.empty();
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A guest started: its counters are read at once, on the probe thread, and kept as its last
   * reading, so a guest destroyed before the next sample (when nothing of it can be read any more)
   * still has counters of its run (see {@link StopReadings}).
   */
  private void readAtStart(ProbeRunner probes, Clock clock, Vm vm) {
    if (!reserveProbe()) {
      log.debug(
          "{} start/stop readings pending: VM {} is not read at its start",
          MAX_PENDING_STOP_PROBES,
          vm.uuid());
      return;
    }
    try {
      probeExecutor.execute(
          () -> {
            try {
              stopReadings.keepLast(vm, probes.probeNow(vm), clock.instant());
            } finally {
              pendingStopProbes.decrementAndGet();
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      pendingStopProbes.decrementAndGet();
      log.debug("usage probe executor stopped: no reading of VM {} at its start", vm.uuid());
    }
  }

  /**
   * A guest stopped (or was deleted while running): its counters are read at once, on the probe
   * thread, while what is left of it may still be read (a graceful shutdown is seen while the
   * process runs). After a hard destroy the probe finds nothing: then the last counters read while
   * it ran (at its start or a sample) stand in (see {@link StopReadings}).
   */
  private void readAtStop(ProbeRunner probes, Clock clock, Vm last) {
    // A mass stop (a host shutting all guests down) must not queue so many probes ahead of the
    // next sample that it misses its deadline: past the bound, stops are not read, and the last
    // readings are all there is.
    if (!reserveProbe()) {
      log.debug(
          "{} start/stop readings pending: VM {} is not read at its stop",
          MAX_PENDING_STOP_PROBES,
          last.uuid());
      stopReadings.stopped(last, VmUsage.EMPTY, clock.instant());
      return;
    }
    try {
      probeExecutor.execute(
          () -> {
            try {
              stopReadings.stopped(last, probes.probeNow(last), clock.instant());
            } finally {
              pendingStopProbes.decrementAndGet();
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      pendingStopProbes.decrementAndGet();
      log.debug("usage probe executor stopped: no reading of VM {} at its stop", last.uuid());
      stopReadings.stopped(last, VmUsage.EMPTY, clock.instant());
    }
  }

  private boolean reserveProbe() {
    if (pendingStopProbes.incrementAndGet() > MAX_PENDING_STOP_PROBES) {
      pendingStopProbes.decrementAndGet();
      return false;
    }
    return true;
  }

  /**
   * Recovers the spool (removes temp files, finishes or redoes interrupted sealing, cuts torn
   * samples, reads the ledger), then starts sampling at the next boundary (catching up on
   * boundaries missed since the last sample on disk) and shipping. Throws if the spool cannot be
   * read or created; nothing is started then, the service's own threads are stopped, and a new
   * service is needed for another try.
   */
  public void start() throws IOException {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("a usage service starts once");
      }
      started = true;
      Spool.Recovery r;
      try {
        r = spool.recover();
      } catch (IOException | RuntimeException e) {
        releaseAfterFailedStart();
        throw e;
      }
      log.info(
          "usage spool {}: {} open, {} sealed, {} retained file(s){}",
          config.spoolDir,
          r.openFiles(),
          r.sealedFiles(),
          r.retainedFiles(),
          r.cutBytes() > 0 ? ", cut " + r.cutBytes() + " bytes of unfinished samples" : "");
      running = true;
      if (sampler.isPresent()) {
        tracker.start(config.store, clock.instant());
        Optional<Instant> resume = sampler.get().carry(config.carryOver.batches(), r.lastSample());
        if (!config.carryOver.isEmpty()) {
          log.info("usage sampler takes over {} of the previous recorder", config.carryOver);
        }
        sampler.get().resumeAfter(resume);
        scheduleSample(Duration.ZERO);
        scheduleRefresh();
      }
      scheduleShip(clock.instant());
    }
  }

  /** A start that failed owns threads and maybe open files nobody else will stop. */
  private void releaseAfterFailedStart() {
    if (ownsSchedulers) {
      samplerScheduler.shutdownNow();
      shipperScheduler.shutdownNow();
    }
    if (ownsProbeExecutor) {
      probeExecutor.shutdownNow();
    }
    try {
      spool.close();
    } catch (IOException e) {
      log.warn("closing the usage spool after a failed start: {}", e.toString());
    }
  }

  /**
   * Stops sampling and shipping. With {@code sampleOnStop} (the default) it first samples the
   * interval in progress, so usage up to the stop is written. An upload in progress may finish
   * within {@code timeout}. Returns false if a thread had to be interrupted.
   */
  public boolean stop(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    synchronized (lock) {
      if (!running) {
        return true;
      }
      running = false;
      if (sampleFuture != null) {
        sampleFuture.cancel(false);
      }
      if (refreshFuture != null) {
        refreshFuture.cancel(false);
      }
      if (shipFuture != null) {
        shipFuture.cancel(false);
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    shipper.stop();
    sampler.ifPresent(
        s -> {
          try {
            if (config.sampleOnStop) {
              s.sampleBeforeStop();
            } else {
              s.writeWaiting();
            }
          } catch (RuntimeException e) {
            log.error("last usage sample before stop failed", e);
          }
        });
    // A round in progress (an upload) may finish; the spool closes only after it.
    boolean clean = shipper.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    if (ownsSchedulers) {
      clean &= shutdown(samplerScheduler, deadline);
      clean &= shutdown(shipperScheduler, deadline);
    }
    if (ownsProbeExecutor) {
      clean &= shutdown(probeExecutor, deadline);
    }
    tracker.close();
    try {
      spool.close();
    } catch (IOException e) {
      log.warn("closing the usage spool: {}", e.toString());
    }
    return clean;
  }

  /** {@link #stop(Duration)} with 10 seconds. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

  public UsageStatus status() {
    return reporter.status(
        running,
        spool.snapshot(),
        sampler.map(Sampler::waitingSamples).orElse(0),
        config.spoolCapBytes,
        shipper.nextAttempt());
  }

  /**
   * Whether the spool refused the last write because its file system is read-only (EROFS), which
   * waiting cannot fix while this service keeps its files there open: the owner may stop it, let
   * the file system be repaired, and start a successor with {@link #takeWaitingSamples}.
   */
  public boolean spoolReadOnly() {
    return sampler.map(Sampler::spoolReadOnly).orElse(false);
  }

  /**
   * After {@link #stop}: the samples taken but never written, for a successor's {@link
   * Builder#carryOver}; empty when there are none (or before stop).
   */
  public WaitingSamples takeWaitingSamples() {
    synchronized (lock) {
      if (running || sampler.isEmpty()) {
        return WaitingSamples.none();
      }
    }
    return WaitingSamples.of(sampler.get().takeWaiting());
  }

  /** The records of the newest sample, one per VM, by uuid (for {@code GET /usage}). */
  public List<UsageRecord> latestSamples() {
    return sampler.map(Sampler::latest).orElse(List.of());
  }

  private void scheduleSample(Duration delay) {
    synchronized (lock) {
      if (running) {
        sampleFuture =
            samplerScheduler.schedule(this::sampleRound, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  private void scheduleRefresh() {
    Duration every = config.lastReadingsEvery;
    if (every.isZero()) {
      return;
    }
    synchronized (lock) {
      if (running) {
        refreshFuture =
            samplerScheduler.schedule(this::refreshRound, every.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Reads every running guest once, on the probe thread, as its last reading. One round at a time:
   * a round still waiting for the probe thread (a slow sample) makes the next one skip.
   */
  private void refreshRound() {
    if (!running) {
      return;
    }
    try {
      List<Vm> runningVms = tracker.running();
      if (!runningVms.isEmpty() && refreshPending.compareAndSet(false, true)) {
        ProbeRunner probes = probeRunner.orElseThrow();
        try {
          probeExecutor.execute(
              () -> {
                try {
                  for (Vm vm : runningVms) {
                    if (!running) {
                      return;
                    }
                    stopReadings.keepLast(vm, probes.probeNow(vm), clock.instant());
                  }
                } finally {
                  refreshPending.set(false);
                }
              });
        } catch (java.util.concurrent.RejectedExecutionException e) {
          refreshPending.set(false);
        }
      }
    } catch (RuntimeException e) {
      log.warn("refreshing the last usage readings failed: {}", e.toString());
    }
    scheduleRefresh();
  }

  private void sampleRound() {
    if (!running) {
      return;
    }
    Duration next;
    try {
      next = sampler.orElseThrow().tick();
    } catch (RuntimeException e) {
      log.error("usage sample failed", e);
      next = config.interval;
    }
    scheduleShip(clock.instant());
    scheduleSample(next);
  }

  private void scheduleShip(Instant at) {
    synchronized (lock) {
      if (!running) {
        return;
      }
      if (shipping) {
        if (shipRequestedDuringRound == null || at.isBefore(shipRequestedDuringRound)) {
          shipRequestedDuringRound = at;
        }
        return;
      }
      if (shipFuture != null && !shipFuture.isDone() && shipAt != null && !shipAt.isAfter(at)) {
        return;
      }
      if (shipFuture != null) {
        shipFuture.cancel(false);
      }
      long delay = Math.max(0, Duration.between(clock.instant(), at).toNanos());
      shipAt = at;
      shipFuture = shipperScheduler.schedule(this::shipRound, delay, TimeUnit.NANOSECONDS);
    }
  }

  private void shipRound() {
    synchronized (lock) {
      shipFuture = null;
      shipAt = null;
      if (!running) {
        return;
      }
      if (shipping) {
        // Superseded but already started on another pool thread: fold in, never run two rounds.
        Instant now = clock.instant();
        if (shipRequestedDuringRound == null || now.isBefore(shipRequestedDuringRound)) {
          shipRequestedDuringRound = now;
        }
        return;
      }
      shipping = true;
    }
    Instant next = null;
    try {
      next = shipper.runOnce();
    } catch (RuntimeException | Error e) {
      // Logged here: a scheduled task's failure would otherwise vanish into its future.
      log.error("usage shipping round failed", e);
      if (e instanceof Error) {
        throw (Error) e;
      }
    } finally {
      if (next == null) {
        next = clock.instant().plus(config.interval);
      }
      synchronized (lock) {
        shipping = false;
        if (shipRequestedDuringRound != null && shipRequestedDuringRound.isBefore(next)) {
          next = shipRequestedDuringRound;
        }
        shipRequestedDuringRound = null;
      }
      scheduleShip(next);
    }
  }

  private static boolean shutdown(ExecutorService e, long deadlineNanos) {
    e.shutdown();
    try {
      long left = Math.max(0, deadlineNanos - System.nanoTime());
      if (e.awaitTermination(left, TimeUnit.NANOSECONDS)) {
        return true;
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    e.shutdownNow();
    return false;
  }

  /** Configures a {@link UsageService}; {@link #build()} checks it. */
  public static final class Builder {
    private VmStore store;
    private UsageProbe probe;
    private Path spoolDir;
    private String serverUuid;
    private Optional<String> datacenterName = Optional.empty();
    private ObjectStore objectStore;
    private RemotePathTemplate remotePath;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private ExecutorService probeExecutor;
    private Duration interval = Duration.ofSeconds(60);
    private Duration lastReadingsEvery = Duration.ZERO;
    private Duration grace = Duration.ofMinutes(2);
    private long spoolCapBytes = 2L * 1024 * 1024 * 1024;
    private Duration retention = Duration.ZERO;
    private Duration parkedRetry = Duration.ofHours(1);
    private Duration probeTimeout;
    private int maxCatchUp = 60;
    private Duration backoffInitial = Duration.ofSeconds(1);
    private Duration backoffMax = Duration.ofMinutes(5);
    private UsageListener listener = UsageListener.NONE;
    private boolean sampleOnStop = true;
    private WaitingSamples carryOver = WaitingSamples.none();
    private boolean sampling = true;
    private FileChannels fileChannels = FileChannels.DEFAULT;
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();

    private Builder() {}

    /** The VMs to record (required when sampling). Its events tell which VMs came and went. */
    public Builder store(VmStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Reads each VM's counters (required when sampling). */
    public Builder probe(UsageProbe probe) {
      this.probe = Objects.requireNonNull(probe, "probe");
      return this;
    }

    /** The spool directory (required); created if missing. */
    public Builder spoolDir(Path spoolDir) {
      this.spoolDir = Objects.requireNonNull(spoolDir, "spoolDir");
      return this;
    }

    /** This host's uuid (required): in every record and in file and object names. */
    public Builder serverUuid(String serverUuid) {
      Objects.requireNonNull(serverUuid, "serverUuid");
      if (!SpoolLayout.SERVER.matcher(serverUuid).matches()) {
        throw new IllegalArgumentException(
            "server uuid must be 1-128 letters, digits, '-' or '_'"
                + " (it names files), got \""
                + serverUuid
                + "\"");
      }
      this.serverUuid = serverUuid;
      return this;
    }

    /** The datacenter name, if known (omitted from records otherwise). */
    public Builder datacenterName(String datacenterName) {
      Objects.requireNonNull(datacenterName, "datacenterName");
      if (datacenterName.isBlank()) {
        throw new IllegalArgumentException("datacenter name must not be blank");
      }
      this.datacenterName = Optional.of(datacenterName);
      return this;
    }

    /** Where sealed files go (required). */
    public Builder objectStore(ObjectStore objectStore) {
      this.objectStore = Objects.requireNonNull(objectStore, "objectStore");
      return this;
    }

    /** The object path of each sealed file (required). */
    public Builder remotePath(RemotePathTemplate remotePath) {
      this.remotePath = Objects.requireNonNull(remotePath, "remotePath");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Runs sampling and shipping on this scheduler instead of two owned threads; the caller shuts
     * it down. Delays are computed from the clock.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Runs probes on this executor instead of an owned {@code usage-probe} thread. */
    public Builder probeExecutor(ExecutorService probeExecutor) {
      this.probeExecutor = Objects.requireNonNull(probeExecutor, "probeExecutor");
      return this;
    }

    /**
     * Sampling interval, 1 s to 1 h (default 60 s); samples fall on multiples of it since the
     * epoch.
     */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofSeconds(1)) < 0
          || interval.compareTo(Duration.ofHours(1)) > 0
          || interval.toMillis() * 1_000_000 != interval.toNanos()) {
        throw new IllegalArgumentException(
            "interval must be whole milliseconds between 1 s and 1 h, got " + interval);
      }
      this.interval = interval;
      return this;
    }

    /** How long after an hour ends its file is sealed (default 2 min), for samples running late. */
    public Builder grace(Duration grace) {
      Objects.requireNonNull(grace, "grace");
      if (grace.isNegative() || grace.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("grace must be between 0 and 1 day, got " + grace);
      }
      this.grace = grace;
      return this;
    }

    /** Byte cap of the spool (default 2 GiB); see the README for what is dropped past it. */
    public Builder spoolCapBytes(long spoolCapBytes) {
      if (spoolCapBytes < 1) {
        throw new IllegalArgumentException("spool cap must be positive, got " + spoolCapBytes);
      }
      this.spoolCapBytes = spoolCapBytes;
      return this;
    }

    /** How long uploaded files are kept locally (default 0: deleted once the ledger has them). */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative()) {
        throw new IllegalArgumentException("retention must not be negative, got " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * How long a file stays parked after a permanent upload failure before it is tried again
     * (default 1 hour; a restart also retries at once).
     */
    public Builder parkedRetry(Duration parkedRetry) {
      Objects.requireNonNull(parkedRetry, "parkedRetry");
      if (parkedRetry.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("parkedRetry must be at least 1 s, got " + parkedRetry);
      }
      this.parkedRetry = parkedRetry;
      return this;
    }

    /** Deadline for probing all VMs of one sample (default: half the interval, at most 30 s). */
    public Builder probeTimeout(Duration probeTimeout) {
      Objects.requireNonNull(probeTimeout, "probeTimeout");
      if (probeTimeout.isNegative() || probeTimeout.isZero()) {
        throw new IllegalArgumentException("probe timeout must be positive, got " + probeTimeout);
      }
      this.probeTimeout = probeTimeout;
      return this;
    }

    /**
     * How many missed boundaries a late sampler still writes (default 60, one hour at 60 s); older
     * ones are skipped, counted in {@link UsageStatus#intervalsSkipped()} and logged.
     */
    public Builder maxCatchUp(int maxCatchUp) {
      if (maxCatchUp < 1) {
        throw new IllegalArgumentException("maxCatchUp must be >= 1, got " + maxCatchUp);
      }
      this.maxCatchUp = maxCatchUp;
      return this;
    }

    /** Backoff between upload attempts after transient failures (default 1 s doubling to 5 min). */
    public Builder uploadBackoff(Duration initial, Duration max) {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "backoff needs 0 < initial <= max, got " + initial + ", " + max);
      }
      this.backoffInitial = initial;
      this.backoffMax = max;
      return this;
    }

    public Builder listener(UsageListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * How often running guests are read between samples, to keep their last readings fresh (default
     * off: readings come from the samples and each guest's start). A guest destroyed hard (nothing
     * left to read at its stop) then keeps its usage up to the last such read instead of up to the
     * last sample. Zero, or 1 s up to the interval; each read costs one probe per running guest, so
     * use it where probes are cheap (libvirt: file reads).
     */
    public Builder lastReadingsEvery(Duration every) {
      Objects.requireNonNull(every, "every");
      if (every.isNegative() || (!every.isZero() && every.compareTo(Duration.ofSeconds(1)) < 0)) {
        throw new IllegalArgumentException(
            "lastReadingsEvery must be zero or at least 1 s, got " + every);
      }
      this.lastReadingsEvery = every;
      return this;
    }

    /** Whether {@link #stop} samples the interval in progress first (default true). */
    /**
     * Samples a stopped predecessor on the same spool could not write ({@link
     * UsageService#takeWaitingSamples}): written first, before new ones; sampling goes on after the
     * newest of them, so they are not caught up again.
     */
    public Builder carryOver(WaitingSamples carryOver) {
      this.carryOver = Objects.requireNonNull(carryOver, "carryOver");
      return this;
    }

    public Builder sampleOnStop(boolean sampleOnStop) {
      this.sampleOnStop = sampleOnStop;
      return this;
    }

    /**
     * False for upload-only mode: no sampling, only sealing and uploading what the spool holds
     * (draining the spool of a host whose agent is gone). Default true.
     */
    public Builder sampling(boolean sampling) {
      this.sampling = sampling;
      return this;
    }

    /** Tests: the file system seam (full disks, failing writes). */
    Builder fileChannels(FileChannels fileChannels) {
      this.fileChannels = Objects.requireNonNull(fileChannels, "fileChannels");
      return this;
    }

    /** Tests: the backoff jitter source, values in [0, 1]. */
    Builder jitter(DoubleSupplier jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    public UsageService build() {
      require(spoolDir, "spoolDir");
      require(serverUuid, "serverUuid");
      require(objectStore, "objectStore");
      require(remotePath, "remotePath");
      if (sampling) {
        require(store, "store");
        require(probe, "probe");
      }
      if (probeTimeout == null) {
        Duration half = interval.dividedBy(2);
        probeTimeout = half.compareTo(Duration.ofSeconds(30)) < 0 ? half : Duration.ofSeconds(30);
      }
      if (lastReadingsEvery.compareTo(interval) > 0) {
        throw new IllegalArgumentException(
            "lastReadingsEvery ("
                + lastReadingsEvery
                + ") must not be longer than the interval ("
                + interval
                + ")");
      }
      return new UsageService(this);
    }

    private static void require(Object value, String name) {
      if (value == null) {
        throw new IllegalStateException("usage service needs " + name);
      }
    }
  }
}
