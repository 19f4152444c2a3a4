package io.vminfo.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import io.vminfo.usage.testing.DirectExecutor;
import io.vminfo.usage.testing.FaultyStore;
import io.vminfo.usage.testing.Records;
import io.vminfo.usage.testing.TestDisk;
import io.vminfo.usage.testing.TestVms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A usage service on a manual clock and scheduler, a VM store, a spool directory, and a faulty
 * local object store: everything a test needs to move time by hours in milliseconds.
 */
final class ServiceHarness {
  static final RemotePathTemplate PATHS = RemotePathTemplate.defaultFor("acct");

  final ManualClock clock;
  final VmStore store;
  final Path spool;
  final Path remote;
  final FaultyStore objects;
  final TestDisk disk = new TestDisk();
  final Set<String> failingProbes = ConcurrentHashMap.newKeySet();
  final List<String> events = new CopyOnWriteArrayList<>();
  ManualScheduler scheduler;
  UsageService service;

  ServiceHarness(Path tmp, String start, int vms) {
    clock = ManualClock.at(start);
    store = VmStore.builder().clock(clock).build();
    List<Vm> initial = new ArrayList<>();
    for (int i = 0; i < vms; i++) {
      initial.add(TestVms.vm(i));
    }
    store.initialize(initial);
    spool = tmp.resolve("spool");
    remote = tmp.resolve("remote");
    objects = new FaultyStore(remote);
  }

  UsageService.Builder builder() {
    return UsageService.builder()
        .store(store)
        .probe(TestVms.probe(failingProbes))
        .spoolDir(spool)
        .serverUuid(TestVms.SERVER)
        .datacenterName("us-test-1")
        .objectStore(objects)
        .remotePath(PATHS)
        .clock(clock)
        .probeExecutor(new DirectExecutor())
        .fileChannels(disk)
        .jitter(() -> 1.0)
        .listener(
            new UsageListener() {
              @Override
              public void uploadSucceeded(String remotePath, long bytes) {
                events.add("uploaded " + remotePath);
              }

              @Override
              public void uploadFailed(String remotePath, ObjectStoreException error) {
                events.add("failed " + remotePath + " " + error.kind());
              }

              @Override
              public void dropped(String what, long bytes, String reason) {
                events.add("dropped " + what);
              }

              @Override
              public void setAside(String file, String reason) {
                events.add("set aside " + file);
              }
            });
  }

  /** Starts a service (a fresh scheduler, as after a process start). */
  UsageService start(Consumer<UsageService.Builder> customize) {
    UsageService.Builder b = builder();
    customize.accept(b);
    scheduler = new ManualScheduler(clock);
    b.scheduler(scheduler);
    service = b.build();
    try {
      service.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    scheduler.runDue();
    return service;
  }

  UsageService start() {
    return start(b -> {});
  }

  /** Stops the service gracefully. */
  void stop() {
    service.stop(Duration.ofSeconds(5));
  }

  /** Forgets the service without stopping it, as a SIGKILL would. */
  void crash() {
    scheduler = null;
    service = null;
  }

  void advance(Duration d) {
    scheduler.advance(d);
  }

  void advanceTo(String instant) {
    Instant target = Instant.parse(instant);
    scheduler.advance(Duration.between(clock.instant(), target));
  }

  UsageStatus status() {
    return service.status();
  }

  /** Every record in the object store, each validated. */
  List<JsonNode> uploaded() {
    return Records.readAll(remote);
  }

  /** Every record still in the spool (not the set-aside files), each validated. */
  List<JsonNode> local() {
    List<JsonNode> out = new ArrayList<>();
    for (Path f : Records.usageFiles(spool)) {
      if (!f.startsWith(spool.resolve("corrupt"))) {
        for (String line : Records.lines(f)) {
          out.add(Records.check(line));
        }
      }
    }
    return out;
  }

  Path remoteObject(String hour, int segment) {
    return objects.local().resolve(PATHS.render(Instant.parse(hour), TestVms.SERVER, segment));
  }
}
