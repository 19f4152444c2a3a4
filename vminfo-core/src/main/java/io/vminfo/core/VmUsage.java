package io.vminfo.core;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One sample of a VM's counters. NIC counters are from the VM's point of view: {@code received} is
 * traffic into the guest. Maps keep insertion order (NICs by mac, disks by path or dataset, block
 * I/O by the guest's target device).
 */
public record VmUsage(
    Map<String, NicUsage> nics,
    Optional<CpuUsage> cpu,
    Optional<MemoryUsage> memory,
    Map<String, DiskUsage> disks,
    Optional<DiskIo> diskIo,
    Map<String, BlockIo> blockIo,
    List<String> problems) {

  public static final VmUsage EMPTY =
      new VmUsage(
          Map.of(),
          Optional.empty(),
          Optional.empty(),
          Map.of(),
          Optional.empty(),
          Map.of(),
          List.of());

  public VmUsage {
    nics =
        java.util.Collections.unmodifiableMap(
            new LinkedHashMap<>(Objects.requireNonNull(nics, "nics")));
    Objects.requireNonNull(cpu, "cpu");
    Objects.requireNonNull(memory, "memory");
    disks =
        java.util.Collections.unmodifiableMap(
            new LinkedHashMap<>(Objects.requireNonNull(disks, "disks")));
    Objects.requireNonNull(diskIo, "diskIo");
    blockIo =
        java.util.Collections.unmodifiableMap(
            new LinkedHashMap<>(Objects.requireNonNull(blockIo, "blockIo")));
    problems = List.copyOf(problems);
  }

  /** Without per-disk block I/O (hosts that cannot tell it). */
  public VmUsage(
      Map<String, NicUsage> nics,
      Optional<CpuUsage> cpu,
      Optional<MemoryUsage> memory,
      Map<String, DiskUsage> disks,
      Optional<DiskIo> diskIo,
      List<String> problems) {
    this(nics, cpu, memory, disks, diskIo, Map.of(), problems);
  }

  /** Without disk I/O counters (hosts that cannot tell them). */
  public VmUsage(
      Map<String, NicUsage> nics,
      Optional<CpuUsage> cpu,
      Optional<MemoryUsage> memory,
      Map<String, DiskUsage> disks,
      List<String> problems) {
    this(nics, cpu, memory, disks, Optional.empty(), Map.of(), problems);
  }

  /** True when it holds a cumulative counter (CPU, a NIC, disk I/O): what a stopped guest loses. */
  public boolean hasCounters() {
    return cpu.isPresent() || !nics.isEmpty() || diskIo.isPresent() || !blockIo.isEmpty();
  }

  /**
   * Storage I/O the guest caused on the host, all its disks together (the QEMU process's {@code
   * read_bytes}/{@code write_bytes} in {@code /proc/<pid>/io}), cumulative since {@code
   * counterStart} (the process start).
   */
  public record DiskIo(long readBytes, long writeBytes, Instant counterStart) {
    public DiskIo {
      if (readBytes < 0 || writeBytes < 0) {
        throw new IllegalArgumentException("disk I/O bytes must be >= 0");
      }
      Objects.requireNonNull(counterStart, "counterStart");
    }
  }

  /**
   * Block I/O of one guest disk as the hypervisor counts it (libvirt: QEMU's block statistics,
   * {@code virsh domblkstat}), keyed by the guest's target device ({@code vda}) in {@link
   * VmUsage#blockIo()}; cumulative since {@code counterStart}. {@code path} is the disk's source
   * (image file or device) when it has one.
   */
  public record BlockIo(
      Optional<String> path,
      long readRequests,
      long readBytes,
      long writeRequests,
      long writeBytes,
      Instant counterStart) {
    public BlockIo {
      Objects.requireNonNull(path, "path");
      if (readRequests < 0 || readBytes < 0 || writeRequests < 0 || writeBytes < 0) {
        throw new IllegalArgumentException("block I/O counters must be >= 0");
      }
      Objects.requireNonNull(counterStart, "counterStart");
    }
  }

  /** Cumulative counters of one NIC, keyed by its mac in {@link VmUsage#nics()}. */
  public record NicUsage(
      String interfaceName,
      OptionalLong receivedBytes,
      OptionalLong sentBytes,
      OptionalLong receivedPackets,
      OptionalLong sentPackets,
      OptionalLong receivedErrors,
      OptionalLong sentErrors,
      OptionalLong receivedDrops,
      OptionalLong sentDrops,
      Instant counterStart) {
    public NicUsage {
      Objects.requireNonNull(interfaceName, "interfaceName");
      Objects.requireNonNull(receivedBytes, "receivedBytes");
      Objects.requireNonNull(sentBytes, "sentBytes");
      Objects.requireNonNull(receivedPackets, "receivedPackets");
      Objects.requireNonNull(sentPackets, "sentPackets");
      Objects.requireNonNull(receivedErrors, "receivedErrors");
      Objects.requireNonNull(sentErrors, "sentErrors");
      Objects.requireNonNull(receivedDrops, "receivedDrops");
      Objects.requireNonNull(sentDrops, "sentDrops");
      Objects.requireNonNull(counterStart, "counterStart");
    }
  }

  /** CPU time used by the guest since {@code counterStart} (its process start). */
  public record CpuUsage(double cpuSeconds, Instant counterStart) {
    public CpuUsage {
      if (!(cpuSeconds >= 0) || Double.isInfinite(cpuSeconds)) {
        throw new IllegalArgumentException("cpuSeconds must be a finite value >= 0");
      }
      Objects.requireNonNull(counterStart, "counterStart");
    }
  }

  /**
   * Resident memory of the guest and, where the hypervisor balloons, the memory the guest has now
   * (libvirt's current balloon size).
   */
  public record MemoryUsage(long rssBytes, OptionalLong balloonBytes) {
    public MemoryUsage {
      if (rssBytes < 0) {
        throw new IllegalArgumentException("rssBytes must be >= 0");
      }
      Objects.requireNonNull(balloonBytes, "balloonBytes");
      if (balloonBytes.isPresent() && balloonBytes.getAsLong() < 0) {
        throw new IllegalArgumentException("balloonBytes must be >= 0");
      }
    }

    public MemoryUsage(long rssBytes) {
      this(rssBytes, OptionalLong.empty());
    }
  }

  /** Space of one disk (image file or dataset). */
  public record DiskUsage(OptionalLong usedBytes, OptionalLong sizeBytes) {
    public DiskUsage {
      Objects.requireNonNull(usedBytes, "usedBytes");
      Objects.requireNonNull(sizeBytes, "sizeBytes");
    }
  }
}
