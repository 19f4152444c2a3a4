package io.vminfo.usage.internal;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.core.text.IsoMillis;
import io.vminfo.usage.UsageRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one sample per interval boundary (multiples of the interval since the epoch, so every UTC
 * minute for the default 60 s). Each boundary is sampled exactly once: a late tick (GC pause,
 * suspended host) samples every boundary it missed, stamped with that boundary, up to {@code
 * maxCatchUp} of them (beyond that they are counted and logged as skipped); a clock that went
 * backwards samples nothing until it passes the last boundary taken, so no {@code (uuid,
 * timestamp)} is ever written twice.
 *
 * <p>A sample is handed to the spool as one batch. If the spool cannot be written (disk full) the
 * batch waits in memory, bounded in bytes, and is written before the next one.
 */
public final class Sampler {
  private static final Logger log = LoggerFactory.getLogger(Sampler.class);

  private final VmTracker tracker;
  private final ProbeRunner probes;
  private final Spool spool;
  private final Clock clock;
  private final Duration interval;
  private final int maxCatchUp;
  private final String serverUuid;
  private final Optional<String> datacenterName;
  private final Reporter reporter;
  private final long maxWaitingBytes;
  private final StopReadings stopReadings;
  private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
  private long waitingBytes;
  private volatile boolean spoolReadOnly;
  private Instant last;
  private boolean behindLogged;
  private volatile List<UsageRecord> latest = List.of();

  public Sampler(
      VmTracker tracker,
      ProbeRunner probes,
      Spool spool,
      Clock clock,
      Duration interval,
      int maxCatchUp,
      String serverUuid,
      Optional<String> datacenterName,
      Reporter reporter,
      long maxWaitingBytes) {
    this(
        tracker,
        probes,
        spool,
        clock,
        interval,
        maxCatchUp,
        serverUuid,
        datacenterName,
        reporter,
        maxWaitingBytes,
        new StopReadings());
  }

  /** With the readings taken as guests stopped, used where a sample finds no counters. */
  public Sampler(
      VmTracker tracker,
      ProbeRunner probes,
      Spool spool,
      Clock clock,
      Duration interval,
      int maxCatchUp,
      String serverUuid,
      Optional<String> datacenterName,
      Reporter reporter,
      long maxWaitingBytes,
      StopReadings stopReadings) {
    this.stopReadings = stopReadings;
    this.tracker = tracker;
    this.probes = probes;
    this.spool = spool;
    this.clock = clock;
    this.interval = interval;
    this.maxCatchUp = maxCatchUp;
    this.serverUuid = serverUuid;
    this.datacenterName = datacenterName;
    this.reporter = reporter;
    this.maxWaitingBytes = maxWaitingBytes;
  }

  /**
   * Sets where to go on from: the last sample on disk, or (first start) the boundary before now,
   * since the interval in progress was not watched from its start.
   */
  public synchronized void resumeAfter(Optional<Instant> lastWritten) {
    Instant floor = floor(clock.instant());
    last = lastWritten.orElse(floor);
    if (lastWritten.isPresent()) {
      log.info("usage sampler resumes after the sample of {}", IsoMillis.format(last));
    }
  }

  /** Samples every boundary due; returns how long until the next one. */
  public synchronized Duration tick() {
    Instant now = clock.instant();
    writeWaiting();
    Instant due = floor(now);
    if (due.isAfter(last)) {
      if (behindLogged) {
        log.info(
            "clock ({}) is past the last usage sample again: sampling goes on",
            IsoMillis.format(now));
      }
      behindLogged = false;
      reporter.clockCaughtUp();
      long count = Duration.between(last, due).toMillis() / interval.toMillis();
      Instant first = last.plus(interval);
      if (count > maxCatchUp) {
        long skipped = count - maxCatchUp;
        first = due.minus(interval.multipliedBy(maxCatchUp - 1L));
        reporter.intervalsSkipped(skipped);
        reporter.problem(
            "sample",
            skipped
                + " sampling interval(s) from "
                + IsoMillis.format(last.plus(interval))
                + " skipped after a stall longer than "
                + maxCatchUp
                + " intervals");
        log.warn(
            "usage sampler stalled for {} intervals: SKIPPED {} interval(s) from {} to {},"
                + " sampling the last {}",
            count,
            skipped,
            IsoMillis.format(last.plus(interval)),
            IsoMillis.format(first.minus(interval)),
            maxCatchUp);
      } else if (count > 1) {
        log.info("usage sampler is {} intervals late: sampling each of them now", count);
      }
      sampleRange(first, due);
    } else if (now.isBefore(last)) {
      reporter.clockBehind(last);
      if (!behindLogged) {
        behindLogged = true;
        String what =
            "clock ("
                + IsoMillis.format(now)
                + ") is behind the last usage sample ("
                + IsoMillis.format(last)
                + "): no sample until it passes it";
        reporter.problem("sample", what);
        log.warn("{} (was it stepped back?)", what);
      }
    }
    Instant next = (due.isAfter(last) ? due : last).plus(interval);
    Duration wait = Duration.between(clock.instant(), next);
    if (wait.compareTo(interval) > 0) {
      wait = interval; // the clock may jump forward again; look at it at least once per interval
    }
    return wait.isNegative() || wait.isZero() ? Duration.ofMillis(1) : wait;
  }

  /**
   * On a graceful stop: samples what is due, then the interval in progress, stamped with its end
   * (the boundary it would have had), so the usage up to the stop is not lost. A restart before
   * that boundary goes on after it.
   */
  public synchronized void sampleBeforeStop() {
    tick();
    // The clock is read again here: a boundary it passed since tick() read it is sampled too,
    // not skipped (at an accelerated clock that window is tens of milliseconds wide).
    Instant next = floor(clock.instant()).plus(interval);
    if (next.isAfter(last)) {
      sampleRange(last.plus(interval).isBefore(next) ? last.plus(interval) : next, next);
    }
  }

  /** The records of the newest sample. */
  public List<UsageRecord> latest() {
    return latest;
  }

  public synchronized int waitingSamples() {
    return waiting.size();
  }

  /**
   * Whether the last write the spool refused failed because its file system is read-only (EROFS:
   * remounted after I/O errors, or by an operator). Cleared by the next good write.
   */
  public boolean spoolReadOnly() {
    return spoolReadOnly;
  }

  /** Removes and returns the samples not yet written, oldest first (for a successor). */
  public synchronized List<Batch> takeWaiting() {
    List<Batch> out = new ArrayList<>(waiting);
    waiting.clear();
    waitingBytes = 0;
    return out;
  }

  /**
   * Takes over a predecessor's unwritten samples: those after {@code lastOnDisk} wait to be written
   * first (before any new sample), and sampling goes on after the newest of them. Call before
   * {@link #resumeAfter}; returns where to resume from.
   */
  public synchronized Optional<Instant> carry(List<Batch> batches, Optional<Instant> lastOnDisk) {
    Optional<Instant> resume = lastOnDisk;
    for (Batch b : batches) {
      if (lastOnDisk.isPresent() && !b.timestamp().isAfter(lastOnDisk.get())) {
        continue; // written after all (the refused write reached the disk): never twice
      }
      enqueue(b);
      if (resume.isEmpty() || b.timestamp().isAfter(resume.get())) {
        resume = Optional.of(b.timestamp());
      }
    }
    return resume;
  }

  /** Tries again to write samples the spool refused (called before each sample and at stop). */
  public synchronized void writeWaiting() {
    while (!waiting.isEmpty()) {
      Batch b = waiting.peek();
      Spool.Appended result;
      try {
        result = spool.append(serverUuid, b);
        spoolReadOnly = false;
      } catch (IOException e) {
        spoolReadOnly = isReadOnlyFileSystem(e);
        reporter.problem(
            "write",
            "cannot write the sample of "
                + IsoMillis.format(b.timestamp())
                + " ("
                + waiting.size()
                + " waiting): "
                + e);
        log.error(
            "cannot write usage sample {} to the spool ({} sample(s) waiting, retried at the"
                + " next sample): {}",
            IsoMillis.format(b.timestamp()),
            waiting.size(),
            e.toString());
        return;
      } catch (RuntimeException e) {
        reporter.problem(
            "write", "cannot write the sample of " + IsoMillis.format(b.timestamp()) + ": " + e);
        log.error("cannot write usage sample {}", IsoMillis.format(b.timestamp()), e);
        return;
      }
      waiting.poll();
      waitingBytes -= b.size();
      if (result == Spool.Appended.WRITTEN) {
        reporter.sampleWritten(b.timestamp(), b.usageRecords(), b.size());
      }
    }
  }

  private void sampleRange(Instant first, Instant lastBoundary) {
    long started = System.nanoTime();
    List<List<VmTracker.Tracked>> sets = new ArrayList<>();
    Map<String, Vm> alive = new LinkedHashMap<>();
    for (Instant b = first; !b.isAfter(lastBoundary); b = b.plus(interval)) {
      List<VmTracker.Tracked> set = tracker.select(b, interval);
      sets.add(set);
      for (VmTracker.Tracked t : set) {
        if (t.deletedAt().isEmpty()) {
          alive.putIfAbsent(t.vm().uuid(), t.vm());
        }
      }
    }
    // One probe per VM per tick, shared by the boundaries a late tick catches up on.
    Map<String, VmUsage> usage = probes.probeAll(new ArrayList<>(alive.values()));
    // Kept as each running guest's last reading (for a hard stop before the next sample), dated
    // by the boundary it was read for: no extra clock read inside a sample.
    for (Vm vm : alive.values()) {
      VmUsage u = usage.get(vm.uuid());
      if (u != null) {
        stopReadings.keepLast(vm, u, lastBoundary);
      }
    }
    long probeNanos = System.nanoTime() - started;
    int i = 0;
    for (Instant b = first; !b.isAfter(lastBoundary); b = b.plus(interval)) {
      long t0 = System.nanoTime();
      List<UsageRecord> records = new ArrayList<>();
      for (VmTracker.Tracked t : sets.get(i++)) {
        if (t.deletedAt().isPresent()) {
          stopReadings.forgetLast(t.vm().uuid());
        }
        VmUsage u =
            t.deletedAt().isEmpty()
                ? usage.getOrDefault(t.vm().uuid(), VmUsage.EMPTY)
                : VmUsage.EMPTY;
        if (!u.hasCounters()) {
          u = withStopReading(u, stopReadings.take(t.vm().uuid(), b, interval));
        }
        records.add(UsageRecord.of(b, serverUuid, datacenterName, t.vm(), u));
      }
      long runtimeMs = (probeNanos + System.nanoTime() - t0) / 1_000_000;
      Batch batch = RecordCodec.encode(b, serverUuid, datacenterName, records, runtimeMs);
      last = b;
      latest = List.copyOf(records);
      reporter.sampleTaken(b);
      tracker.forgetBefore(b);
      stopReadings.forgetBefore(b, interval);
      enqueue(batch);
      writeWaiting();
    }
  }

  /** The cumulative counters read at the stop; the gauges (memory, disk) stay what they are now. */
  private static VmUsage withStopReading(VmUsage now, Optional<VmUsage> atStop) {
    if (atStop.isEmpty()) {
      return now;
    }
    VmUsage r = atStop.get();
    List<String> problems = new ArrayList<>(now.problems());
    problems.addAll(r.problems());
    return new VmUsage(
        r.nics(), r.cpu(), now.memory(), now.disks(), r.diskIo(), r.blockIo(), problems);
  }

  private void enqueue(Batch batch) {
    while (!waiting.isEmpty() && waitingBytes + batch.size() > maxWaitingBytes) {
      Batch dropped = waiting.poll();
      waitingBytes -= dropped.size();
      reporter.droppedSample(
          dropped.timestamp(),
          dropped.usageRecords(),
          dropped.size(),
          "the spool has not been writable for "
              + (waiting.size() + 1)
              + " samples and the in-memory backlog is full");
    }
    waiting.add(batch);
    waitingBytes += batch.size();
  }

  private static boolean isReadOnlyFileSystem(IOException e) {
    // the JDK reports EROFS only as the reason text of a FileSystemException
    return e instanceof java.nio.file.FileSystemException f
        && f.getReason() != null
        && f.getReason().contains("Read-only file system");
  }

  private Instant floor(Instant t) {
    long ms = interval.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), ms) * ms);
  }
}
