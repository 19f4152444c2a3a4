package io.vminfo.usage.internal;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.core.text.IsoMillis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The counters read from a guest as it stopped (or was deleted while running). By the next sample
 * its process and taps are gone and a probe reads nothing, so without this the usage of its last
 * partial interval, and all of a guest that lived a few seconds, would be lost. A reading is used
 * by the sample of the interval it was taken in, for a VM that sample reads no counters of.
 *
 * <p>After a hard stop (libvirt's {@code virsh destroy}, a zone halted) even the read at the stop
 * event finds nothing: the process, its cgroup and its taps are gone before the event. So the last
 * counters read while the guest ran (at its start, and at each sample) are kept too, per run of the
 * guest (its {@code pid} and {@code zoneid}), and stand in for the stop reading then: the last
 * values the host gave, never made up.
 */
public final class StopReadings {
  private record Reading(VmUsage usage, Instant at) {}

  private record Last(String run, VmUsage usage, Instant at) {}

  private final Map<String, Reading> byUuid = new HashMap<>();
  private final Map<String, Last> lastByUuid = new HashMap<>();

  /** Keeps {@code usage} when it holds counters; the newest reading wins. */
  public synchronized void put(String uuid, VmUsage usage, Instant at) {
    if (usage.hasCounters()) {
      byUuid.put(uuid, new Reading(usage, at));
    }
  }

  /**
   * Keeps what was read of {@code vm} while it ran (at its start, at a sample), if it holds
   * counters: the fallback for a stop that leaves nothing to read. A newer reading replaces it.
   */
  public synchronized void keepLast(Vm vm, VmUsage usage, Instant at) {
    if (!usage.hasCounters() || !isRunning(vm)) {
      return;
    }
    Last prev = lastByUuid.get(vm.uuid());
    if (prev == null || !prev.run().equals(run(vm))) {
      lastByUuid.put(vm.uuid(), new Last(run(vm), usage, at));
    } else if (prev.at().isAfter(at)) {
      // a slower probe of the same run finished after a newer one: it only fills gaps
      lastByUuid.put(vm.uuid(), new Last(prev.run(), merge(prev.usage(), usage), prev.at()));
    } else {
      // A read racing the guest's end may get part of it (the tap, not the process): the
      // counters it missed stay as read before, all of the same run.
      lastByUuid.put(vm.uuid(), new Last(prev.run(), merge(usage, prev.usage()), at));
    }
  }

  /**
   * {@code newer}'s parts, and {@code older}'s where {@code newer} has none (per NIC, per disk).
   */
  static VmUsage merge(VmUsage newer, VmUsage older) {
    Map<String, VmUsage.NicUsage> nics = new java.util.LinkedHashMap<>(older.nics());
    nics.putAll(newer.nics());
    Map<String, VmUsage.DiskUsage> disks = new java.util.LinkedHashMap<>(older.disks());
    disks.putAll(newer.disks());
    Map<String, VmUsage.BlockIo> blocks = new java.util.LinkedHashMap<>(older.blockIo());
    blocks.putAll(newer.blockIo());
    return new VmUsage(
        nics,
        newer.cpu().or(older::cpu),
        newer.memory().or(older::memory),
        disks,
        newer.diskIo().or(older::diskIo),
        blocks,
        newer.problems());
  }

  /**
   * {@code last} (its last running state) stopped; {@code atStop} is what was read at that moment.
   * Counters read then are the stop reading (parts it missed taken from the last reading of the
   * same run); without any, the last reading of the same run, if any, marked as such in its
   * problems. Either way the last reading of the guest is forgotten.
   */
  public synchronized void stopped(Vm last, VmUsage atStop, Instant at) {
    Last kept = lastByUuid.remove(last.uuid());
    boolean sameRun = kept != null && kept.run().equals(run(last));
    if (atStop.hasCounters()) {
      // What the stop read wins; what it could not read any more is as last read.
      byUuid.put(last.uuid(), new Reading(sameRun ? merge(atStop, kept.usage()) : atStop, at));
      return;
    }
    if (sameRun) {
      List<String> problems = new ArrayList<>(atStop.problems());
      problems.add(
          "nothing left to read at the stop: counters as last read at "
              + IsoMillis.format(kept.at()));
      VmUsage u = kept.usage();
      byUuid.put(
          last.uuid(),
          new Reading(
              new VmUsage(
                  u.nics(), u.cpu(), u.memory(), u.disks(), u.diskIo(), u.blockIo(), problems),
              at));
    }
  }

  /** Which run of the guest a reading belongs to: a restart changes the pid and the zone id. */
  private static String run(Vm vm) {
    return vm.pid().orElse(-1) + "/" + vm.zoneid().orElse(-1);
  }

  private static boolean isRunning(Vm vm) {
    return vm.state().filter("running"::equals).isPresent();
  }

  /**
   * The reading of {@code uuid} taken in the interval ending at {@code boundary}, removed. One
   * taken earlier (the VM started again and was sampled since) is dropped; a later one is kept.
   */
  public synchronized Optional<VmUsage> take(String uuid, Instant boundary, Duration interval) {
    Reading r = byUuid.get(uuid);
    if (r == null || r.at().isAfter(boundary)) {
      return Optional.empty();
    }
    byUuid.remove(uuid);
    return r.at().isAfter(boundary.minus(interval)) ? Optional.of(r.usage()) : Optional.empty();
  }

  /**
   * Drops readings taken at or before {@code boundary} minus {@code interval}: no sample uses them.
   */
  public synchronized void forgetBefore(Instant boundary, Duration interval) {
    Instant start = boundary.minus(interval);
    byUuid.values().removeIf(r -> !r.at().isAfter(start));
  }

  /** Forgets the last reading of a VM that is gone (deleted while not running). */
  public synchronized void forgetLast(String uuid) {
    lastByUuid.remove(uuid);
  }

  public synchronized int size() {
    return byUuid.size();
  }

  public synchronized int lastReadings() {
    return lastByUuid.size();
  }
}
