package io.vminfo.cli.testing;

import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.VmUsage;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import io.vminfo.usage.LocalDirectoryStore;
import io.vminfo.usage.ObjectStore;
import io.vminfo.usage.ObjectStoreException;
import io.vminfo.usage.RemotePathTemplate;
import io.vminfo.usage.StoredObject;
import io.vminfo.usage.UsageService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * A real usage spool, written by the real usage recorder (usage-recorder's {@code UsageService}) on
 * a manual clock: hours 08 and 09 sealed and uploaded (kept locally for the retention window), hour
 * 10 sealed but not uploaded (the store fails), hour 11 still being written.
 */
public final class UsageSpool {
  public static final Instant START = Instant.parse("2026-11-22T08:58:00Z");

  private UsageSpool() {}

  /** Builds the spool under {@code dir}/spool (uploads go to {@code dir}/remote). */
  public static Path build(Path dir) throws Exception {
    ManualClock clock = new ManualClock(START);
    VmStore store = VmStore.builder().clock(clock).build();
    store.initialize(List.of(Vms.web(), Vms.db()));
    ManualScheduler scheduler = new ManualScheduler(clock);
    Switchable objects = new Switchable(new LocalDirectoryStore(dir.resolve("remote")));
    Executor direct = Runnable::run;
    Path spool = dir.resolve("spool");
    UsageService usage =
        UsageService.builder()
            .store(store)
            .probe(PROBE)
            .spoolDir(spool)
            .serverUuid(Vms.SERVER)
            .datacenterName("test-dc")
            .objectStore(objects)
            .remotePath(RemotePathTemplate.defaultFor("acct"))
            .clock(clock)
            .scheduler(scheduler)
            .probeExecutor(
                new java.util.concurrent.AbstractExecutorService() {
                  @Override
                  public void execute(Runnable command) {
                    direct.execute(command);
                  }

                  @Override
                  public void shutdown() {}

                  @Override
                  public List<Runnable> shutdownNow() {
                    return List.of();
                  }

                  @Override
                  public boolean isShutdown() {
                    return false;
                  }

                  @Override
                  public boolean isTerminated() {
                    return false;
                  }

                  @Override
                  public boolean awaitTermination(
                      long timeout, java.util.concurrent.TimeUnit unit) {
                    return true;
                  }
                })
            .retention(Duration.ofHours(6))
            .uploadBackoff(Duration.ofMinutes(30), Duration.ofHours(2))
            .build();
    usage.start();
    scheduler.runDue();
    scheduler.advance(Duration.between(clock.instant(), Instant.parse("2026-11-22T10:03:30Z")));
    objects.failing = true;
    scheduler.advance(Duration.between(clock.instant(), Instant.parse("2026-11-22T11:03:30Z")));
    usage.close();
    return spool;
  }

  /** Counters as a function of the VM, so files are the same on every run. */
  public static final UsageProbe PROBE =
      vm -> {
        int h = vm.uuid().hashCode() & 0xffff;
        Instant boot = Instant.parse("2026-11-20T00:00:00Z");
        Map<String, VmUsage.NicUsage> nics = new LinkedHashMap<>();
        for (Vm.Nic nic : vm.nics()) {
          nics.put(
              nic.mac().orElseThrow(),
              new VmUsage.NicUsage(
                  nic.interfaceName().orElse("net0"),
                  OptionalLong.of(1_000_000L + h),
                  OptionalLong.of(2_000L + h),
                  OptionalLong.of(900L + h),
                  OptionalLong.of(40L + h),
                  OptionalLong.empty(),
                  OptionalLong.empty(),
                  OptionalLong.empty(),
                  OptionalLong.empty(),
                  boot));
        }
        Map<String, VmUsage.DiskUsage> disks = new LinkedHashMap<>();
        disks.put(
            "zones/" + vm.uuid(),
            new VmUsage.DiskUsage(
                OptionalLong.of(4_071_424L + h), OptionalLong.of(26_843_545_600L)));
        return new VmUsage(
            nics,
            Optional.of(new VmUsage.CpuUsage(12.5 + h / 1000.0, boot)),
            Optional.of(new VmUsage.MemoryUsage(134_217_728L + h)),
            disks,
            List.of());
      };

  /** A local store that can be made to fail (as Manta being down). */
  static final class Switchable implements ObjectStore {
    private final ObjectStore store;
    volatile boolean failing;

    Switchable(ObjectStore store) {
      this.store = store;
    }

    @Override
    public StoredObject put(Path localFile, String remotePath, String md5Base64)
        throws ObjectStoreException {
      if (failing) {
        throw ObjectStoreException.retryable("store down (test)", null);
      }
      return store.put(localFile, remotePath, md5Base64);
    }
  }
}
