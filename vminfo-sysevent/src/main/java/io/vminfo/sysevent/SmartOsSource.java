package io.vminfo.sysevent;

import io.vminfo.core.HostIdentity;
import io.vminfo.core.LoadResult;
import io.vminfo.core.Reload;
import io.vminfo.core.ReloadResult;
import io.vminfo.core.Vm;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.VmLookup;
import io.vminfo.core.concurrent.NamedThreads;
import io.vminfo.core.text.Uuids;
import io.vminfo.core.time.Durations;
import io.vminfo.sysevent.internal.host.CommandRunner;
import io.vminfo.sysevent.internal.smartos.SmartOsHost;
import io.vminfo.sysevent.internal.smartos.Sysinfo;
import io.vminfo.sysevent.internal.smartos.ZfsList;
import io.vminfo.sysevent.internal.smartos.ZoneEventStream;
import io.vminfo.sysevent.internal.smartos.ZoneIndex;
import io.vminfo.sysevent.internal.smartos.ZoneadmList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SmartOS backend: builds vmadm VM objects from a SmartOS host tree (zones index, zonecfg XML,
 * zone config JSON, {@code lastexited}, sysinfo, and {@code zoneadm}/{@code zfs} output where those
 * tools exist under the host root) and turns file events into partial reloads as vminfod does: an
 * XML change reloads that zone, a config JSON or {@code lastexited} change reloads only those
 * parts, a deleted XML is confirmed with a stat before its VM is deleted, an index change reloads
 * the zones whose entries changed. Zone state changes that leave no file behind (boot, halt) come
 * from {@code /usr/vm/sbin/zoneevent} where the host has it (each transition reloads the zone
 * states at once; {@code zoneadm list -pc} is then polled only as a safety net, once a minute), and
 * otherwise from polling {@code zoneadm list -pc} (every 5 s by default).
 */
public final class SmartOsSource extends HostSource {
  private static final Logger log = LoggerFactory.getLogger(SmartOsSource.class);

  private final SmartOsHost host;
  private final Duration pollInterval;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Path tmpDir;
  private final Map<String, Path> zoneDirs = new ConcurrentHashMap<>();
  private final Map<Path, String> dirToZone = new ConcurrentHashMap<>();

  /** Zones the index lists whose XML was missing when last looked at: each has a load error. */
  private final Set<String> listedWithoutXml = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private volatile ScheduledFuture<?> poll;
  private volatile ZoneEventStream zoneEvents;
  private final Duration safetyPollInterval;
  private long pollTicks;
  private volatile ZoneadmList lastZoneadm;

  private SmartOsSource(Builder b) throws IOException {
    super(b);
    this.host =
        new SmartOsHost(
            files, new CommandRunner(b.commandTimeout, 64 * 1024 * 1024), b.fallbackServerUuid);
    this.pollInterval = b.pollInterval;
    this.safetyPollInterval = b.safetyPollInterval;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler =
        b.scheduler != null
            ? b.scheduler
            : Executors.newSingleThreadScheduledExecutor(
                NamedThreads.daemon("vminfo-smartos-poll"));
    this.tmpDir = files.resolve("/tmp");
  }

  /** A builder; {@code fallbackServerUuid} is used when the host has no sysinfo UUID. */
  public static Builder builder(String fallbackServerUuid) {
    return new Builder(fallbackServerUuid);
  }

  @Override
  public String name() {
    return "smartos";
  }

  @Override
  public HostIdentity hostIdentity() throws IOException {
    Sysinfo s = host.reloadSysinfo();
    return new HostIdentity(s.serverUuid(), s.datacenterName());
  }

  @Override
  public LoadResult loadAll() throws IOException {
    List<VmLoadError> errors = new ArrayList<>();
    try {
      host.reloadSysinfo();
    } catch (IOException e) {
      errors.add(
          VmLoadError.of(
              host.files().hostPath(host.sysinfoFile()), e.getMessage(), clock.instant()));
    }
    // An unreadable index throws: a full reload without it would delete every VM.
    ZoneIndex index = host.index();
    Optional<ZoneadmList> zoneadm = zoneadm(errors);
    Optional<ZfsList> zfs = Optional.empty();
    try {
      zfs = host.zfsList(List.of());
    } catch (IOException e) {
      errors.add(VmLoadError.of("zfs", "zfs list failed: " + e.getMessage(), clock.instant()));
    }
    Set<String> zonenames = new LinkedHashSet<>(index.zones().keySet());
    zonenames.addAll(host.xmlZonenames());
    List<ZoneLoad> loads = loadZones(List.copyOf(zonenames), index, zoneadm, zfs);
    List<Vm> vms = new ArrayList<>(loads.size());
    Set<String> seen = new HashSet<>();
    for (ZoneLoad load : loads) {
      if (load.vm != null && !seen.add(load.vm.uuid())) {
        errors.add(
            error(
                load.zonename,
                load.zonename,
                Optional.of(load.vm.uuid()),
                "zone " + load.zonename + " has the uuid " + load.vm.uuid() + " of another zone"));
      } else if (load.vm != null) {
        vms.add(load.vm);
        ensureWatches(load.zonename, load.zonepath);
      } else {
        errors.add(load.error);
      }
    }
    for (String gone : new ArrayList<>(zoneDirs.keySet())) {
      if (!zonenames.contains(gone)) {
        dropWatches(gone);
      }
    }
    return new LoadResult(vms, errors);
  }

  /** One zone's outcome in a full load: its VM, or the error that explains why there is none. */
  private record ZoneLoad(String zonename, String zonepath, Vm vm, VmLoadError error) {}

  /**
   * Loads zones on a small pool of its own (one thread per core): a full load is mostly file system
   * calls, which overlap well. Results keep the input order.
   */
  private List<ZoneLoad> loadZones(
      List<String> zonenames, ZoneIndex index, Optional<ZoneadmList> zoneadm, Optional<ZfsList> zfs)
      throws IOException {
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 4));
    if (zonenames.size() < 64 || threads == 1) {
      List<ZoneLoad> out = new ArrayList<>(zonenames.size());
      for (String z : zonenames) {
        out.add(loadZone(z, index, zoneadm, zfs));
      }
      return out;
    }
    java.util.concurrent.ExecutorService pool =
        Executors.newFixedThreadPool(threads, NamedThreads.daemon("vminfo-smartos-load"));
    try {
      List<java.util.concurrent.Future<ZoneLoad>> futures = new ArrayList<>(zonenames.size());
      for (String z : zonenames) {
        futures.add(pool.submit(() -> loadZone(z, index, zoneadm, zfs)));
      }
      List<ZoneLoad> out = new ArrayList<>(zonenames.size());
      for (java.util.concurrent.Future<ZoneLoad> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("full load interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("full load failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private ZoneLoad loadZone(
      String zonename, ZoneIndex index, Optional<ZoneadmList> zoneadm, Optional<ZfsList> zfs) {
    Optional<String> uuid = index.get(zonename).flatMap(ZoneIndex.Entry::uuid);
    try {
      SmartOsHost.ZoneRef ref = host.ref(zonename, index, zoneadm);
      uuid = Optional.of(ref.uuid());
      return new ZoneLoad(zonename, ref.zonepath(), host.loadZone(ref, zoneadm, zfs), null);
    } catch (NoSuchFileException e) {
      listedWithoutXml.add(zonename);
      return new ZoneLoad(
          zonename,
          null,
          null,
          error(zonename, zonename, uuid, "zone XML missing: " + e.getMessage()));
    } catch (IOException | RuntimeException e) {
      return new ZoneLoad(zonename, null, null, error(zonename, zonename, uuid, e.getMessage()));
    }
  }

  @Override
  void startWatching(FileWatcher w) throws IOException {
    w.watch(host.zonesDir());
    w.watch(tmpDir);
    try {
      for (ZoneIndex.Entry e : host.index().zones().values()) {
        ensureWatches(e.zonename(), e.zonepath());
      }
    } catch (IOException e) {
      log.warn("could not read the zones index to watch zone directories: {}", e.getMessage());
    }
    if (host.hasZoneadm()) {
      Optional<Path> zoneevent = host.zoneevent();
      if (zoneevent.isPresent()) {
        // A transition reloads the states at once; bursts (shutting_down, down, ...) coalesce
        // in the queue under the poll's key.
        ZoneEventStream stream =
            new ZoneEventStream(
                zoneevent.get(),
                e -> queue.submit(new ZoneStatePoll()),
                () -> queue.submit(new ZoneStatePoll()),
                Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        zoneEvents = stream;
        stream.start();
      }
      long every = pollInterval.toMillis();
      long ticksPerSafetyPoll = Math.max(1, safetyPollInterval.toMillis() / Math.max(1, every));
      poll =
          scheduler.scheduleWithFixedDelay(
              () -> {
                ZoneEventStream events = zoneEvents;
                // While zoneevent runs, polling is only a safety net: no process start every 5 s.
                if (events != null && events.healthy() && ++pollTicks % ticksPerSafetyPoll != 0) {
                  return;
                }
                queue.submit(new ZoneStatePoll());
              },
              every,
              every,
              TimeUnit.MILLISECONDS);
    } else {
      log.info("no zoneadm under {}: zone states come from the zones index only", hostRoot());
    }
  }

  @Override
  void closeOwn() {
    ScheduledFuture<?> p = poll;
    if (p != null) {
      p.cancel(false);
    }
    ZoneEventStream events = zoneEvents;
    if (events != null) {
      events.close();
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- events

  @Override
  void onFileEvent(WatchEvent e) {
    if (!relevant(e)) {
      return;
    }
    Path dir = e.directory();
    String name = e.name();
    if (dir.equals(host.zonesDir())) {
      if (name.equals("index")) {
        queue.submit(new IndexReload());
      } else if (name.endsWith(".xml") && name.length() > 4 && !name.startsWith(".")) {
        queue.submit(new ZoneReload(name.substring(0, name.length() - 4)));
      }
    } else if (dir.equals(tmpDir)) {
      if (name.equals(".sysinfo.json")) {
        queue.reconcile("sysinfo changed");
      }
    } else {
      String zonename = dirToZone.get(dir);
      if (zonename == null) {
        return;
      }
      if (dir.getFileName().toString().equals("config")
          && SmartOsHost.CONFIG_FILES.contains(name)) {
        queue.submit(new PartReload(zonename, "config", host::withFreshConfig));
      } else if (name.equals("lastexited") && !dir.getFileName().toString().equals("config")) {
        queue.submit(new PartReload(zonename, "lastexited", host::withFreshLastExited));
      }
    }
  }

  @Override
  void onWatchEstablished(Path directory) {
    if (directory.equals(host.zonesDir()) || directory.equals(tmpDir)) {
      super.onWatchEstablished(directory);
      return;
    }
    String zonename = dirToZone.get(directory);
    if (zonename != null) {
      queue.submit(new ZoneReload(zonename));
    }
  }

  private void ensureWatches(String zonename, String zonepath) {
    FileWatcher w = watcher().orElse(null);
    if (w == null) {
      return;
    }
    try {
      Path zoneDir = host.zoneDir(zonepath);
      Path previous = zoneDirs.put(zonename, zoneDir);
      if (zoneDir.equals(previous)) {
        return;
      }
      if (previous != null) {
        unwatchZoneDir(previous);
      }
      dirToZone.put(zoneDir, zonename);
      dirToZone.put(zoneDir.resolve("config"), zonename);
      w.watch(zoneDir);
      w.watch(zoneDir.resolve("config"));
    } catch (IOException e) {
      log.warn("cannot watch the directories of zone {}: {}", zonename, e.getMessage());
    }
  }

  private void dropWatches(String zonename) {
    Path zoneDir = zoneDirs.remove(zonename);
    if (zoneDir != null) {
      unwatchZoneDir(zoneDir);
    }
  }

  private void unwatchZoneDir(Path zoneDir) {
    dirToZone.remove(zoneDir);
    dirToZone.remove(zoneDir.resolve("config"));
    FileWatcher w = watcher().orElse(null);
    if (w != null) {
      w.unwatch(zoneDir);
      w.unwatch(zoneDir.resolve("config"));
    }
  }

  /**
   * {@code zoneadm list -pc}; when it fails, the last list that worked (so one hung run does not
   * flip every running zone to its index state), or none before the first success.
   */
  private Optional<ZoneadmList> zoneadm(List<VmLoadError> errors) {
    try {
      Optional<ZoneadmList> list = host.zoneadmList();
      list.ifPresent(l -> lastZoneadm = l);
      return list;
    } catch (IOException e) {
      ZoneadmList last = lastZoneadm;
      log.warn(
          "zoneadm list -pc failed: {}; using {}",
          e.getMessage(),
          last != null ? "its last good output" : "the zones index");
      if (errors != null) {
        errors.add(
            VmLoadError.of(
                "zoneadm", "zoneadm list -pc failed: " + e.getMessage(), clock.instant()));
      }
      return Optional.ofNullable(last);
    }
  }

  private VmLoadError error(String key, String zonename, Optional<String> uuid, String message) {
    return loadError(key, uuid, Optional.of(zonename), message);
  }

  // ---------------------------------------------------------------- reloads

  /**
   * Brings one zone's VM up to date: creates, updates or (when its XML is confirmed gone) deletes
   * it. Shared by every reload that finds a zone changed.
   */
  private void reloadZone(
      String zonename,
      ZoneIndex index,
      Optional<ZoneadmList> zoneadm,
      VmLookup current,
      ReloadResult.Builder out) {
    Optional<Vm> existing = current.getByZonename(zonename);
    Path xml;
    try {
      xml = host.xmlFile(zonename);
    } catch (IOException e) {
      return; // not a zone name (e.g. a stray file name)
    }
    boolean known = index.get(zonename).isPresent() || Uuids.isUuid(zonename);
    // vminfod semantics: a deleted XML is confirmed with a stat before the VM goes away.
    if (!Files.exists(xml, LinkOption.NOFOLLOW_LINKS) || !known) {
      if (existing.isPresent()) {
        log.info("zone {} is gone; deleting VM {}", zonename, existing.get().uuid());
        out.remove(existing.get().uuid());
      }
      clearZoneErrors(zonename, out);
      dropWatches(zonename);
      if (index.get(zonename).isPresent()) {
        // Listed but without its XML (a half-done create or delete, a hand edit): no VM, but
        // visible, as the full load shows it, until the index and the XML agree again.
        listedWithoutXml.add(zonename);
        out.error(
            error(
                zonename,
                zonename,
                index.get(zonename).flatMap(ZoneIndex.Entry::uuid),
                "zone XML missing: "
                    + host.files().hostPath(xml)
                    + " does not exist but the zones index lists the zone"));
      }
      return;
    }
    Optional<String> uuid =
        index.get(zonename).flatMap(ZoneIndex.Entry::uuid).or(() -> existing.map(Vm::uuid));
    try {
      SmartOsHost.ZoneRef ref = host.ref(zonename, index, zoneadm);
      uuid = Optional.of(ref.uuid());
      Optional<ZfsList> zfs = Optional.empty();
      try {
        if (host.hasZfs()) {
          zfs = host.zfsList(host.datasetsOf(ref));
        }
      } catch (IOException e) {
        log.warn("zfs list for zone {} failed: {}", zonename, e.getMessage());
        zfs = Optional.empty();
      }
      Vm vm = host.loadZone(ref, zoneadm, zfs);
      if (existing.isPresent() && !existing.get().uuid().equals(vm.uuid())) {
        out.remove(existing.get().uuid());
      }
      out.upsert(vm);
      clearZoneErrors(zonename, out);
      ensureWatches(zonename, ref.zonepath());
    } catch (NoSuchFileException e) {
      if (!Files.exists(xml, LinkOption.NOFOLLOW_LINKS)) {
        existing.ifPresent(vm -> out.remove(vm.uuid()));
        clearZoneErrors(zonename, out);
        dropWatches(zonename);
      } else {
        out.error(error(zonename, zonename, uuid, e.getMessage()));
      }
    } catch (IOException | RuntimeException e) {
      // The VM keeps its last good state; the next event on its files retries.
      out.error(error(zonename, zonename, uuid, e.getMessage()));
    }
  }

  private void clearZoneErrors(String zonename, ReloadResult.Builder out) {
    listedWithoutXml.remove(zonename);
    out.clearError(zonename);
    out.clearError(zonename + "/config");
    out.clearError(zonename + "/lastexited");
  }

  /** An XML file changed or disappeared. */
  private final class ZoneReload implements Reload {
    private final String zonename;

    ZoneReload(String zonename) {
      this.zonename = zonename;
    }

    @Override
    public String key() {
      return "smartos:zone:" + zonename;
    }

    @Override
    public ReloadResult run(VmLookup current) throws IOException {
      ReloadResult.Builder out = ReloadResult.builder();
      reloadZone(zonename, host.index(), zoneadm(null), current, out);
      return out.build();
    }
  }

  /** How a partial reload refreshes its part of a VM. */
  @FunctionalInterface
  private interface PartUpdate {
    Vm apply(Vm current) throws IOException;
  }

  /**
   * A config JSON (metadata, tags, routes) or {@code lastexited} changed: only those keys are
   * re-read. A zone the store does not know yet is loaded whole.
   */
  private final class PartReload implements Reload {
    private final String zonename;
    private final String part;
    private final PartUpdate update;

    PartReload(String zonename, String part, PartUpdate update) {
      this.zonename = zonename;
      this.part = part;
      this.update = update;
    }

    @Override
    public String key() {
      return "smartos:" + part + ":" + zonename;
    }

    @Override
    public ReloadResult run(VmLookup current) throws IOException {
      ReloadResult.Builder out = ReloadResult.builder();
      Optional<Vm> vm = current.getByZonename(zonename);
      if (vm.isEmpty()) {
        reloadZone(zonename, host.index(), zoneadm(null), current, out);
        return out.build();
      }
      String errorKey = zonename + "/" + part;
      try {
        out.upsert(update.apply(vm.get()));
        out.clearError(errorKey);
      } catch (IOException | RuntimeException e) {
        out.error(error(errorKey, zonename, Optional.of(vm.get().uuid()), e.getMessage()));
      }
      return out.build();
    }
  }

  /** The zones index changed: reload the zones that appeared, disappeared or changed state. */
  private final class IndexReload implements Reload {
    @Override
    public String key() {
      return "smartos:index";
    }

    @Override
    public ReloadResult run(VmLookup current) throws IOException {
      ReloadResult.Builder out = ReloadResult.builder();
      ZoneIndex index = host.index();
      Optional<ZoneadmList> zoneadm = zoneadm(null);
      Set<String> affected = new LinkedHashSet<>();
      for (ZoneIndex.Entry e : index.zones().values()) {
        Optional<Vm> vm = current.getByZonename(e.zonename());
        if (vm.isEmpty()
            || (zoneadm.isEmpty() && !vm.get().zoneState().orElse("").equals(e.state()))
            || (e.uuid().isPresent() && !e.uuid().get().equalsIgnoreCase(vm.get().uuid()))) {
          affected.add(e.zonename());
        }
      }
      for (Vm vm : current.list()) {
        vm.zonename().filter(z -> index.get(z).isEmpty()).ifPresent(affected::add);
      }
      // A row that had no XML is gone: its error goes with it (there is no VM to find it by).
      for (String z : listedWithoutXml) {
        if (index.get(z).isEmpty()) {
          affected.add(z);
        }
      }
      for (String z : affected) {
        reloadZone(z, index, zoneadm, current, out);
      }
      return out.build();
    }
  }

  /** Periodic {@code zoneadm list -pc}: reload zones whose runtime state or id changed. */
  private final class ZoneStatePoll implements Reload {
    @Override
    public String key() {
      return "smartos:zoneadm";
    }

    @Override
    public ReloadResult run(VmLookup current) throws IOException {
      ReloadResult.Builder out = ReloadResult.builder();
      Optional<ZoneadmList> zoneadm = host.zoneadmList();
      if (zoneadm.isEmpty()) {
        return out.build();
      }
      ZoneIndex index = host.index();
      Set<String> affected = new LinkedHashSet<>();
      for (ZoneadmList.Zone z : zoneadm.get().byZonename().values()) {
        Optional<Vm> vm = current.getByZonename(z.zonename());
        if (vm.isEmpty()) {
          affected.add(z.zonename());
          continue;
        }
        boolean stateChanged = !vm.get().zoneState().orElse("").equals(z.state());
        boolean idChanged = !vm.get().zoneid().equals(z.zoneid());
        if (stateChanged || idChanged) {
          affected.add(z.zonename());
        }
      }
      for (Vm vm : current.list()) {
        vm.zonename()
            .filter(n -> zoneadm.get().get(n).isEmpty() && index.get(n).isEmpty())
            .ifPresent(affected::add);
      }
      for (String z : affected) {
        reloadZone(z, index, zoneadm, current, out);
      }
      return out.build();
    }
  }

  /**
   * Configures a {@link SmartOsSource}: {@code hostRoot} (default {@code /}), {@code clock}, {@code
   * watcherFactory}, and the SmartOS settings below.
   */
  public static final class Builder extends HostSource.Builder<Builder, SmartOsSource> {
    private Duration commandTimeout = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofSeconds(5);
    private Duration safetyPollInterval = Duration.ofMinutes(1);
    private ScheduledExecutorService scheduler;

    private Builder(String fallbackServerUuid) {
      super(fallbackServerUuid);
    }

    /** Longest a {@code zoneadm} or {@code zfs} run may take before it is killed (default 30 s). */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = Durations.requirePositive(timeout, "commandTimeout");
      return this;
    }

    /** How often {@code zoneadm list -pc} is polled for state changes (default 5 s). */
    public Builder zoneStatePollInterval(Duration interval) {
      this.pollInterval = Durations.requirePositive(interval, "zoneStatePollInterval");
      return this;
    }

    /**
     * How often {@code zoneadm list -pc} is still polled while {@code zoneevent} runs (default 1
     * min; rounded to a multiple of the poll interval).
     */
    public Builder zoneEventSafetyPollInterval(Duration interval) {
      this.safetyPollInterval = Durations.requirePositive(interval, "zoneEventSafetyPollInterval");
      return this;
    }

    /** Runs the zone state poll on {@code scheduler} (owned by the caller); default: own thread. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    @Override
    Builder self() {
      return this;
    }

    @Override
    SmartOsSource create() throws IOException {
      return new SmartOsSource(this);
    }
  }
}
