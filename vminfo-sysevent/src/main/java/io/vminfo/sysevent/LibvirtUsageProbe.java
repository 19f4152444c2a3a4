package io.vminfo.sysevent;

import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.sysevent.internal.host.HostFiles;
import io.vminfo.sysevent.internal.libvirt.BlockStats;
import io.vminfo.sysevent.internal.libvirt.BlockStatsReader;
import io.vminfo.sysevent.internal.libvirt.LibraryBlockStats;
import io.vminfo.sysevent.internal.libvirt.LibvirtHost;
import io.vminfo.sysevent.internal.usage.CounterStarts;
import io.vminfo.sysevent.internal.usage.NativeStat;
import io.vminfo.sysevent.internal.usage.ProcReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters of libvirt guests.
 *
 * <ul>
 *   <li>NICs: {@code /sys/class/net/<vnetN>/statistics}. These are the host side of the tap, so
 *       directions are swapped to the guest's point of view: guest received = host {@code tx_*},
 *       guest sent = host {@code rx_*} (as {@code virsh domifstat} reports).
 *   <li>CPU: the libvirt machine cgroup (v1 {@code cpuacct.usage} or v2 {@code cpu.stat}) when the
 *       QEMU process is in one, else {@code utime + stime} of {@code /proc/<pid>/stat}. {@code
 *       counter_start} is the QEMU process start ({@code btime} + start ticks), stable across agent
 *       restarts.
 *   <li>NIC errors and drops: the same files' {@code *_errors} and {@code *_dropped}, swapped
 *       alike.
 *   <li>Memory: {@code VmRSS} of the QEMU process; the balloon is the live domain's {@code
 *       <currentMemory>} in the status file.
 *   <li>Disk I/O: {@code read_bytes}/{@code write_bytes} of {@code /proc/<pid>/io} (all disks
 *       together), counted from the QEMU process start.
 *   <li>Block I/O per disk: QEMU's block statistics through libvirt's client library ({@code
 *       virDomainListGetStats}, {@code VIR_DOMAIN_STATS_BLOCK}: what {@code virsh domblkstat}
 *       shows), keyed by target device. Used by default when the host root is {@code /} (a host
 *       tree elsewhere is not what the local libvirtd serves). Without the library, or when the
 *       call fails, these counters are left out; the reason is logged once (and again when it
 *       works).
 *   <li>Disks: allocated bytes of image files ({@code st_blocks}), size from the qcow2 header or
 *       the file size.
 * </ul>
 *
 * NIC {@code counter_start} is the QEMU process start on first sight; when the tap is re-created
 * (its ifindex changes) or a counter goes down, it becomes the time the reset was seen.
 */
public final class LibvirtUsageProbe implements UsageProbe, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LibvirtUsageProbe.class);
  private static final Duration LIBVIRT_TIMEOUT = Duration.ofSeconds(5);

  private final HostFiles files;
  private final ProcReader proc;
  private final LibvirtHost images;
  private final CounterStarts starts;
  private final Optional<BlockStatsReader> blockStats;
  private final AtomicBoolean blockStatsFailing = new AtomicBoolean();

  private LibvirtUsageProbe(Builder b) throws IOException {
    this.files = new HostFiles(b.hostRoot);
    this.proc = new ProcReader(files, NativeStat.clockTicksPerSecond());
    this.images = new LibvirtHost(files, "00000000-0000-0000-0000-000000000000");
    this.starts = new CounterStarts(b.clock);
    this.blockStats = blockStatsReader(b);
  }

  private static Optional<BlockStatsReader> blockStatsReader(Builder b) {
    if (b.blockStats != null) {
      return Optional.of(b.blockStats);
    }
    boolean wanted = b.blockStatsFromLibvirt.orElse(b.hostRoot.equals(Path.of("/")));
    if (!wanted) {
      log.debug("libvirt usage: per-disk block I/O is not read (host root {})", b.hostRoot);
      return Optional.empty();
    }
    LibraryBlockStats.Loaded loaded = LibraryBlockStats.load(b.libvirtUri, LIBVIRT_TIMEOUT);
    if (loaded instanceof LibraryBlockStats.Available a) {
      log.info("libvirt usage: per-disk block I/O through {}", a.reader().transport());
      return Optional.of(a.reader());
    }
    log.warn(
        "libvirt usage: per-disk block I/O (block_io) is not recorded: {}",
        ((LibraryBlockStats.Unavailable) loaded).reason());
    return Optional.empty();
  }

  /** Closes the libvirt connection of the block statistics, if one is open. */
  @Override
  public void close() {
    blockStats
        .filter(LibraryBlockStats.class::isInstance)
        .map(LibraryBlockStats.class::cast)
        .ifPresent(LibraryBlockStats::close);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public VmUsage sample(Vm vm) throws IOException {
    List<String> problems = new ArrayList<>();
    Optional<VmUsage.CpuUsage> cpu = Optional.empty();
    Optional<VmUsage.MemoryUsage> memory = Optional.empty();
    Optional<VmUsage.DiskIo> diskIo = Optional.empty();
    Optional<Instant> processStart = Optional.empty();
    Map<String, VmUsage.BlockIo> blockIo = Map.of();
    long pid = vm.pid().orElse(-1);
    if (pid > 0) {
      try {
        Optional<Boolean> ours =
            vm.zonename().isPresent()
                ? proc.cmdlineMentions(pid, vm.zonename().get())
                : Optional.empty();
        if (ours.isPresent() && !ours.get()) {
          throw new IOException("process " + pid + " is not the guest " + vm.zonename().get());
        }
        ProcReader.ProcStat stat = proc.stat(pid);
        Instant started = proc.startTime(stat);
        processStart = Optional.of(started);
        double seconds = proc.machineCgroupCpuSeconds(pid).orElse(proc.cpuSeconds(stat));
        cpu = Optional.of(new VmUsage.CpuUsage(seconds, started));
        OptionalLong rss = proc.rssBytes(pid);
        if (rss.isPresent()) {
          memory = Optional.of(new VmUsage.MemoryUsage(rss.getAsLong(), balloon(vm, problems)));
        }
        try {
          diskIo =
              proc.ioBytes(pid)
                  .map(io -> new VmUsage.DiskIo(io.readBytes(), io.writeBytes(), started));
        } catch (IOException | RuntimeException e) {
          problems.add("disk io: " + e.getMessage());
        }
        // Only of a guest whose process runs: a stopped one has no block statistics to ask for.
        blockIo = blockIo(vm, pid, processStart, problems);
      } catch (NoSuchFileException e) {
        problems.add("cpu/memory: process " + pid + " is gone");
      } catch (IOException | RuntimeException e) {
        problems.add("cpu/memory: " + e.getMessage());
      }
    }
    Map<String, VmUsage.NicUsage> nics = new LinkedHashMap<>();
    for (Vm.Nic nic : vm.nics()) {
      if (nic.mac().isEmpty() || nic.interfaceName().isEmpty()) {
        continue; // not running: no host device, no counters
      }
      String dev = nic.interfaceName().get();
      try {
        nics.put(nic.mac().get(), nic(vm, nic.mac().get(), dev, pid, processStart));
      } catch (NoSuchFileException e) {
        problems.add("nic " + dev + ": no such device");
      } catch (IOException | RuntimeException e) {
        problems.add("nic " + dev + ": " + e.getMessage());
      }
    }
    Map<String, VmUsage.DiskUsage> disks = new LinkedHashMap<>();
    for (Vm.Disk disk : vm.disks()) {
      if (disk.path().isEmpty() || !disk.path().get().startsWith("/")) {
        continue;
      }
      String path = disk.path().get();
      try {
        Path p = files.resolve(path);
        Optional<java.nio.file.attribute.BasicFileAttributes> attrs = files.attributes(p);
        if (attrs.isEmpty()) {
          continue; // a missing image: nothing to report
        }
        if (!attrs.get().isRegularFile()) {
          // A block device (LVM, a partition, a SAN LUN): its size is the kernel's; how much of
          // it is allocated is not known from the host (thin pools), so no used_bytes.
          blockDeviceBytes(p)
              .ifPresent(
                  size ->
                      disks.put(
                          path,
                          new VmUsage.DiskUsage(OptionalLong.empty(), OptionalLong.of(size))));
          continue;
        }
        OptionalLong used = NativeStat.allocatedBytes(p.toString());
        Optional<Long> size = images.imageSizeBytes(path);
        disks.put(
            path,
            new VmUsage.DiskUsage(used, size.map(OptionalLong::of).orElse(OptionalLong.empty())));
      } catch (IOException | RuntimeException e) {
        problems.add("disk " + path + ": " + e.getMessage());
      }
    }
    return new VmUsage(nics, cpu, memory, disks, diskIo, blockIo, problems);
  }

  private Map<String, VmUsage.BlockIo> blockIo(
      Vm vm, long pid, Optional<Instant> processStart, List<String> problems) {
    if (blockStats.isEmpty()) {
      return Map.of();
    }
    Map<String, BlockStats.Disk> read;
    try {
      read = blockStats.get().read(vm.uuid());
    } catch (IOException | RuntimeException e) {
      problems.add("block io: " + e.getMessage());
      if (blockStatsFailing.compareAndSet(false, true)) {
        log.warn(
            "libvirt usage: per-disk block I/O (block_io) is left out while {} fails: {}"
                + " (logged once, until it works again)",
            blockStats.get().transport(),
            e.getMessage());
      }
      return Map.of();
    }
    if (blockStatsFailing.compareAndSet(true, false)) {
      log.info(
          "libvirt usage: per-disk block I/O through {} works again", blockStats.get().transport());
    }
    Map<String, VmUsage.BlockIo> out = new LinkedHashMap<>();
    for (Map.Entry<String, BlockStats.Disk> e : read.entrySet()) {
      BlockStats.Disk d = e.getValue();
      // A disk hot-plugged again under the same target, or another image behind it, counts anew.
      Instant start =
          starts.start(
              vm.uuid() + "/block/" + e.getKey(),
              pid + "/" + d.path().orElse(""),
              processStart,
              d.readRequests(),
              d.readBytes(),
              d.writeRequests(),
              d.writeBytes());
      out.put(
          e.getKey(),
          new VmUsage.BlockIo(
              d.path(), d.readRequests(), d.readBytes(), d.writeRequests(), d.writeBytes(), start));
    }
    return out;
  }

  private OptionalLong balloon(Vm vm, List<String> problems) {
    if (vm.zonename().isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return images.balloonBytes(vm.zonename().get());
    } catch (IOException | RuntimeException e) {
      problems.add("balloon: " + e.getMessage());
      return OptionalLong.empty();
    }
  }

  /** A block device's size from {@code /sys/class/block/<name>/size} (512-byte sectors). */
  private Optional<Long> blockDeviceBytes(Path device) throws IOException {
    String name = files.real(device).getFileName().toString();
    if (name.startsWith(".") || name.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> sectors =
        files.readText(files.resolve("/sys/class/block/" + name + "/size"), 64);
    if (sectors.isEmpty()) {
      return Optional.empty(); // not a block device the kernel lists (a FIFO, a socket, ...)
    }
    try {
      long n = Long.parseLong(sectors.get().strip());
      return n >= 0 && n <= Long.MAX_VALUE / 512 ? Optional.of(n * 512) : Optional.empty();
    } catch (NumberFormatException e) {
      throw new IOException("/sys/class/block/" + name + "/size is not a number");
    }
  }

  private VmUsage.NicUsage nic(Vm vm, String mac, String dev, long pid, Optional<Instant> started)
      throws IOException {
    if (dev.contains("/") || dev.startsWith(".")) {
      throw new IOException("bad interface name");
    }
    String base = "/sys/class/net/" + dev;
    long hostRxBytes = counter(base + "/statistics/rx_bytes");
    long hostTxBytes = counter(base + "/statistics/tx_bytes");
    long hostRxPackets = counter(base + "/statistics/rx_packets");
    long hostTxPackets = counter(base + "/statistics/tx_packets");
    OptionalLong hostRxErrors = optionalCounter(base + "/statistics/rx_errors");
    OptionalLong hostTxErrors = optionalCounter(base + "/statistics/tx_errors");
    OptionalLong hostRxDropped = optionalCounter(base + "/statistics/rx_dropped");
    OptionalLong hostTxDropped = optionalCounter(base + "/statistics/tx_dropped");
    String ifindex = optionalCounter(base + "/ifindex").toString();
    Instant start =
        starts.start(
            vm.uuid() + "/" + mac,
            pid + "/" + ifindex,
            started,
            hostRxBytes,
            hostTxBytes,
            hostRxPackets,
            hostTxPackets);
    return new VmUsage.NicUsage(
        dev,
        OptionalLong.of(hostTxBytes),
        OptionalLong.of(hostRxBytes),
        OptionalLong.of(hostTxPackets),
        OptionalLong.of(hostRxPackets),
        hostTxErrors,
        hostRxErrors,
        hostTxDropped,
        hostRxDropped,
        start);
  }

  private long counter(String hostPath) throws IOException {
    String text =
        new String(files.read(files.resolve(hostPath), 64), StandardCharsets.UTF_8).trim();
    return Long.parseLong(text);
  }

  private OptionalLong optionalCounter(String hostPath) {
    try {
      return OptionalLong.of(counter(hostPath));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Configures a {@link LibvirtUsageProbe}. */
  public static final class Builder {
    private Path hostRoot = Path.of("/");
    private Clock clock = Clock.systemUTC();
    private String libvirtUri = "qemu:///system";
    private Optional<Boolean> blockStatsFromLibvirt = Optional.empty();
    private BlockStatsReader blockStats;

    private Builder() {}

    /**
     * The libvirt connection the per-disk block statistics are read from ({@code qemu:///system}).
     */
    public Builder libvirtUri(String uri) {
      this.libvirtUri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * Whether per-disk block I/O is read through libvirt's library; by default only when the host
     * root is {@code /}.
     */
    public Builder blockStatsFromLibvirt(boolean read) {
      this.blockStatsFromLibvirt = Optional.of(read);
      return this;
    }

    /** Tests: the block statistics from here instead of libvirt's library. */
    Builder blockStats(BlockStatsReader reader) {
      this.blockStats = Objects.requireNonNull(reader, "reader");
      return this;
    }

    /** Root of the host tree whose {@code /proc} and {@code /sys} are read (default {@code /}). */
    public Builder hostRoot(Path root) {
      this.hostRoot = Objects.requireNonNull(root, "root");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public LibvirtUsageProbe build() throws IOException {
      return new LibvirtUsageProbe(this);
    }
  }
}
