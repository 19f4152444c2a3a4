package io.vminfo.usage.internal;

import io.vminfo.core.VmUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The counters read from a guest as it stopped (or was deleted while running). By the next sample
 * its process and taps are gone and a probe reads nothing, so without this the usage of its last
 * partial interval, and all of a guest that lived a few seconds, would be lost. A reading is used
 * by the sample of the interval it was taken in, for a VM that sample reads no counters of.
 */
public final class StopReadings {
  private record Reading(VmUsage usage, Instant at) {}

  private final Map<String, Reading> byUuid = new HashMap<>();

  /** Keeps {@code usage} when it holds counters (CPU or NICs); the newest reading wins. */
  public synchronized void put(String uuid, VmUsage usage, Instant at) {
    if (usage.hasCounters()) {
      byUuid.put(uuid, new Reading(usage, at));
    }
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

  /** Drops readings taken at or before {@code boundary} minus {@code interval}: no sample uses them. */
  public synchronized void forgetBefore(Instant boundary, Duration interval) {
    Instant start = boundary.minus(interval);
    byUuid.values().removeIf(r -> !r.at().isAfter(start));
  }

  public synchronized int size() {
    return byUuid.size();
  }
}
