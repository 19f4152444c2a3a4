package io.vminfo.sysevent;

import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.core.time.Durations;
import io.vminfo.sysevent.internal.host.CommandRunner;
import io.vminfo.sysevent.internal.host.HostFiles;
import io.vminfo.sysevent.internal.smartos.KstatOutput;
import io.vminfo.sysevent.internal.smartos.ZfsList;
import io.vminfo.sysevent.internal.usage.CounterStarts;
import java.io.IOException;
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

/**
 * Counters of SmartOS zones from {@code kstat -p} and {@code zfs list -Hp} (run under the host
 * root, with a timeout; one run serves every VM sampled within {@code cacheFor}).
 *
 * <ul>
 *   <li>NICs: {@code link:<zoneid>:<netN>} {@code rbytes64/obytes64/ipackets64/opackets64}, {@code
 *       ierrors/oerrors}, {@code norcvbuf/noxmtbuf} (drops). These are the zone's own links, so
 *       {@code r*} is what the guest received. {@code counter_start} is the link's creation ({@code
 *       unix:0:system_misc:boot_time} + the link's {@code crtime}).
 *   <li>CPU: {@code zones:<zoneid>:*} {@code nsec_user + nsec_sys}; {@code counter_start} is the
 *       zone's {@code boot_time}.
 *   <li>Memory: {@code memory_cap:<zoneid>:*:rss}.
 *   <li>Disks: {@code used} (and quota or volsize) of the zone's dataset and zvols.
 * </ul>
 */
public final class SmartOsUsageProbe implements UsageProbe {
  private final Path kstat;
  private final Path zfs;
  private final CommandRunner runner;
  private final Clock clock;
  private final Duration cacheFor;
  private final CounterStarts starts;
  private final Object lock = new Object();
  private Cached<KstatOutput> kstatCache;
  private Cached<ZfsList> zfsCache;

  private SmartOsUsageProbe(Builder b) throws IOException {
    HostFiles files = new HostFiles(b.hostRoot);
    this.kstat = files.resolve("/usr/bin/kstat");
    this.zfs = files.resolve("/usr/sbin/zfs");
    this.runner = new CommandRunner(b.commandTimeout, 64 * 1024 * 1024);
    this.clock = b.clock;
    this.cacheFor = b.cacheFor;
    this.starts = new CounterStarts(b.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  private record Cached<T>(T value, Instant at) {}

  @Override
  public VmUsage sample(Vm vm) throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, VmUsage.NicUsage> nics = new LinkedHashMap<>();
    Optional<VmUsage.CpuUsage> cpu = Optional.empty();
    Optional<VmUsage.MemoryUsage> memory = Optional.empty();
    OptionalLong zoneid = vm.zoneid();
    if (zoneid.isPresent()) {
      Optional<KstatOutput> k = Optional.empty();
      try {
        k = kstat();
        if (k.isEmpty()) {
          problems.add("no kstat under the host root");
        }
      } catch (IOException e) {
        problems.add("kstat: " + e.getMessage());
      }
      if (k.isPresent()) {
        long id = zoneid.getAsLong();
        KstatOutput out = k.get();
        OptionalLong hostBoot =
            out.value("unix:0:system_misc", "boot_time")
                .map(v -> OptionalLong.of((long) Double.parseDouble(v)))
                .orElse(OptionalLong.empty());
        for (Vm.Nic nic : vm.nics()) {
          if (nic.mac().isEmpty() || nic.interfaceName().isEmpty()) {
            continue;
          }
          Map<String, String> stats =
              out.byKstat().get("link:" + id + ":" + nic.interfaceName().get());
          if (stats == null) {
            problems.add("nic " + nic.interfaceName().get() + ": no link kstat");
            continue;
          }
          nics.put(nic.mac().get(), nic(vm, nic, stats, hostBoot));
        }
        Map<String, String> zone = one(out, "zones", id);
        if (zone != null) {
          OptionalLong user = KstatOutput.integer(zone, "nsec_user");
          OptionalLong sys = KstatOutput.integer(zone, "nsec_sys");
          OptionalLong boot = KstatOutput.integer(zone, "boot_time");
          if (user.isPresent() && sys.isPresent()) {
            Instant start =
                boot.isPresent()
                    ? Instant.ofEpochSecond(boot.getAsLong())
                    : starts.start(
                        vm.uuid() + "/cpu",
                        "zone-" + id,
                        Optional.empty(),
                        user.getAsLong() + sys.getAsLong());
            cpu =
                Optional.of(
                    new VmUsage.CpuUsage((user.getAsLong() + sys.getAsLong()) / 1e9, start));
          }
        } else {
          problems.add("cpu: no zones kstat for zone id " + id);
        }
        memory = rss(one(out, "memory_cap", id));
      }
    }
    Map<String, VmUsage.DiskUsage> disks = new LinkedHashMap<>();
    try {
      Optional<ZfsList> z = zfs();
      if (z.isPresent()) {
        vm.text("zfs_filesystem")
            .flatMap(z.get()::get)
            .ifPresent(ds -> disks.put(ds.name(), new VmUsage.DiskUsage(ds.used(), ds.quota())));
        for (Vm.Disk d : vm.disks()) {
          d.path()
              .flatMap(SmartOsUsageProbe::zvol)
              .flatMap(z.get()::get)
              .ifPresent(
                  ds -> disks.put(ds.name(), new VmUsage.DiskUsage(ds.used(), ds.volsize())));
        }
      }
    } catch (IOException e) {
      problems.add("zfs: " + e.getMessage());
    }
    return new VmUsage(nics, cpu, memory, disks, problems);
  }

  private VmUsage.NicUsage nic(Vm vm, Vm.Nic nic, Map<String, String> s, OptionalLong hostBoot) {
    OptionalLong rb = KstatOutput.integer(s, "rbytes64");
    OptionalLong ob = KstatOutput.integer(s, "obytes64");
    OptionalLong rp = KstatOutput.integer(s, "ipackets64");
    OptionalLong op = KstatOutput.integer(s, "opackets64");
    Optional<Instant> created = Optional.empty();
    String crtime = s.get("crtime");
    if (crtime != null && hostBoot.isPresent()) {
      try {
        long nanos = Math.round(Double.parseDouble(crtime) * 1e9);
        created =
            Optional.of(
                Instant.ofEpochSecond(hostBoot.getAsLong())
                    .plusNanos(nanos)
                    .truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
      } catch (NumberFormatException ignored) {
        // no creation time: first sight is the start
      }
    }
    Instant start =
        starts.start(
            vm.uuid() + "/" + nic.mac().get(),
            created.map(Instant::toString).orElse("-"),
            created,
            rb.orElse(0),
            ob.orElse(0),
            rp.orElse(0),
            op.orElse(0));
    return new VmUsage.NicUsage(
        nic.interfaceName().get(),
        rb,
        ob,
        rp,
        op,
        KstatOutput.integer(s, "ierrors"),
        KstatOutput.integer(s, "oerrors"),
        KstatOutput.integer(s, "norcvbuf"),
        KstatOutput.integer(s, "noxmtbuf"),
        start);
  }

  private static Optional<VmUsage.MemoryUsage> rss(Map<String, String> cap) {
    if (cap == null) {
      return Optional.empty();
    }
    OptionalLong rss = KstatOutput.integer(cap, "rss");
    return rss.isPresent() && rss.getAsLong() >= 0
        ? Optional.of(new VmUsage.MemoryUsage(rss.getAsLong()))
        : Optional.empty();
  }

  /** The one kstat of {@code module} whose instance is the zone id. */
  private static Map<String, String> one(KstatOutput out, String module, long id) {
    String prefix = module + ":" + id + ":";
    for (Map.Entry<String, Map<String, String>> e : out.byKstat().entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static Optional<String> zvol(String path) {
    for (String prefix : List.of("/dev/zvol/rdsk/", "/dev/zvol/dsk/")) {
      if (path.startsWith(prefix)) {
        return Optional.of(path.substring(prefix.length()));
      }
    }
    return Optional.empty();
  }

  private Optional<KstatOutput> kstat() throws IOException {
    if (!CommandRunner.usable(kstat)) {
      return Optional.empty();
    }
    synchronized (lock) {
      if (kstatCache != null && fresh(kstatCache.at())) {
        return Optional.of(kstatCache.value());
      }
      CommandRunner.Result r =
          runner.run(
              kstat, "-p", "link:::", "zones:::", "memory_cap:::", "unix:0:system_misc:boot_time");
      if (r.exitCode() != 0 && r.stdout().isEmpty()) {
        throw new IOException("kstat exited " + r.exitCode() + ": " + r.stderr());
      }
      kstatCache = new Cached<>(KstatOutput.parse(r.stdout()), clock.instant());
      return Optional.of(kstatCache.value());
    }
  }

  private Optional<ZfsList> zfs() throws IOException {
    if (!CommandRunner.usable(zfs)) {
      return Optional.empty();
    }
    synchronized (lock) {
      if (zfsCache != null && fresh(zfsCache.at())) {
        return Optional.of(zfsCache.value());
      }
      CommandRunner.Result r =
          runner.run(zfs, "list", "-Hp", "-o", ZfsList.COLUMNS, "-t", "filesystem,volume");
      zfsCache = new Cached<>(ZfsList.parse(r.stdout()), clock.instant());
      return Optional.of(zfsCache.value());
    }
  }

  private boolean fresh(Instant at) {
    return Duration.between(at, clock.instant()).compareTo(cacheFor) < 0;
  }

  /** Configures a {@link SmartOsUsageProbe}. */
  public static final class Builder {
    private Path hostRoot = Path.of("/");
    private Clock clock = Clock.systemUTC();
    private Duration commandTimeout = Duration.ofSeconds(30);
    private Duration cacheFor = Duration.ofSeconds(5);

    private Builder() {}

    public Builder hostRoot(Path root) {
      this.hostRoot = Objects.requireNonNull(root, "root");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = Durations.requirePositive(timeout, "commandTimeout");
      return this;
    }

    /** How long one {@code kstat}/{@code zfs} run serves further samples (default 5 s). */
    public Builder cacheFor(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("cacheFor must not be negative");
      }
      this.cacheFor = d;
      return this;
    }

    public SmartOsUsageProbe build() throws IOException {
      return new SmartOsUsageProbe(this);
    }
  }
}
