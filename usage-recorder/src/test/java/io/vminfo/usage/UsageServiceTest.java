package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.VmStore;
import io.vminfo.usage.testing.Records;
import io.vminfo.usage.testing.TestVms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageServiceTest {
  @TempDir Path tmp;

  static List<Instant> minutes(String from, String to) {
    List<Instant> out = new ArrayList<>();
    for (Instant t = Instant.parse(from); !t.isAfter(Instant.parse(to)); t = t.plusSeconds(60)) {
      out.add(t);
    }
    return out;
  }

  static List<Instant> sampleTimes(List<JsonNode> records) {
    return Records.summaries(records).stream()
        .map(n -> Instant.parse(n.path("timestamp").asText()))
        .sorted()
        .toList();
  }

  static void assertUnique(List<JsonNode> records) {
    List<String> keys = Records.keys(records);
    assertThat(new HashSet<>(keys)).as("(uuid, timestamp) unique").hasSize(keys.size());
  }

  @Test
  void recordsEveryVmEveryMinuteAndUploadsEachHourOnceSealed() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 3);
    h.start();
    h.advanceTo("2026-11-22T12:03:00Z");

    assertThat(h.remoteObject("2026-11-22T10:00:00Z", 0)).exists();
    assertThat(h.remoteObject("2026-11-22T11:00:00Z", 0)).exists();
    List<JsonNode> uploaded = h.uploaded();
    List<JsonNode> local = h.local();
    assertThat(sampleTimes(uploaded))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T11:59:00Z"));
    assertThat(sampleTimes(local))
        .isEqualTo(minutes("2026-11-22T12:00:00Z", "2026-11-22T12:03:00Z"));
    assertThat(Records.usage(uploaded)).hasSize(119 * 3);
    List<JsonNode> all = new ArrayList<>(uploaded);
    all.addAll(local);
    assertUnique(all);
    for (JsonNode s : Records.summaries(all)) {
      assertThat(s.path("vm_count").asInt()).isEqualTo(3);
      assertThat(s.path("datacenter_name").asText()).isEqualTo("us-test-1");
    }
    // Each hour's object holds exactly that hour's records, and was stored once.
    for (String hour : List.of("2026-11-22T10", "2026-11-22T11")) {
      Path obj = h.remoteObject(hour + ":00:00Z", 0);
      for (String line : Records.lines(obj)) {
        assertThat(line).contains("\"timestamp\":\"" + hour + ":");
      }
    }
    assertThat(h.objects.storedCounts().values()).containsOnly(1);

    UsageStatus s = h.status();
    assertThat(s.running()).isTrue();
    assertThat(s.uploadsSucceeded()).isEqualTo(2);
    assertThat(s.uploadsFailed()).isZero();
    assertThat(s.samplesWritten()).isEqualTo(123);
    assertThat(s.recordsWritten()).isEqualTo(123 * 3);
    assertThat(s.filesPending()).isEqualTo(1);
    assertThat(s.oldestPendingHour()).contains(Instant.parse("2026-11-22T12:00:00Z"));
    assertThat(s.lastSample()).contains(Instant.parse("2026-11-22T12:03:00Z"));
    assertThat(s.lastUpload()).contains(Instant.parse("2026-11-22T12:02:00Z"));
    assertThat(s.lastError()).isEmpty();
    assertThat(s.droppedBytes()).isZero();
    assertThat(s.spoolBytes()).isEqualTo(s.bytesPending());
    assertThat(s.spoolCapBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
    // The ledger has both uploads; the spool keeps only the open hour.
    assertThat(Files.readAllLines(h.spool.resolve("ledger/uploads.jsonl"))).hasSize(2);
    try (Stream<Path> files = Files.walk(h.spool)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> h.spool.relativize(p).toString()))
          .containsExactlyInAnyOrder(
              "2026/11/22/12/" + TestVms.SERVER + ".log",
              "ledger/uploads.jsonl",
              "state/sampler.json");
    }
    assertThat(h.events)
        .containsExactly(
            "uploaded /acct/stor/usage/2026/11/22/10/" + TestVms.SERVER + ".log.gz",
            "uploaded /acct/stor/usage/2026/11/22/11/" + TestVms.SERVER + ".log.gz");
  }

  @Test
  void billingDataIsNeverWorldReadableSpoolLedgerOrArchive() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    h.start();
    h.advanceTo("2026-11-22T11:07:00Z");
    assertThat(h.remoteObject("2026-11-22T10:00:00Z", 0)).exists();
    for (Path root : List.of(h.spool, h.remote)) {
      try (Stream<Path> all = Files.walk(root)) {
        for (Path p : all.toList()) {
          String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
          assertThat(mode).as("%s", p).isEqualTo(Files.isDirectory(p) ? "rwxr-x---" : "rw-r-----");
        }
      }
    }
  }

  @Test
  void aVmCreatedAndDestroyedWithinOneMinuteStillGetsItsRecord() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    h.start();
    h.advanceTo("2026-11-22T10:01:10Z");
    h.store.put(TestVms.vm(7));
    h.advanceTo("2026-11-22T10:01:40Z");
    h.store.remove(TestVms.uuid(7));
    h.advanceTo("2026-11-22T10:03:00Z");
    List<JsonNode> local = h.local();
    assertThat(Records.keys(local))
        .containsExactly(
            TestVms.uuid(0) + "@2026-11-22T10:01:00.000Z",
            TestVms.uuid(0) + "@2026-11-22T10:02:00.000Z",
            TestVms.uuid(7) + "@2026-11-22T10:02:00.000Z",
            TestVms.uuid(0) + "@2026-11-22T10:03:00.000Z");
    JsonNode gone = Records.usage(local).get(2);
    assertThat(gone.path("alias").asText()).isEqualTo("vm-7");
    // read as it was deleted while running (the test probe still answers then)
    assertThat(gone.path("network_usage").size()).isEqualTo(1);
    assertThat(gone.path("cpu_usage").has("cpu_seconds")).isTrue();
    assertThat(Records.summaries(local).get(1).path("vm_count").asInt()).isEqualTo(2);
  }

  /**
   * A guest that stops keeps the usage of its last partial interval: its counters are read at the
   * stop event (a real probe reads nothing from a stopped guest, as this one), written in the
   * record of the interval it stopped in, and not repeated after.
   */
  @Test
  void aGuestThatStopsKeepsItsLastCountersInTheRecordOfThatInterval() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    io.vminfo.core.UsageProbe onlyWhileRunning =
        vm ->
            vm.state().filter("running"::equals).isPresent()
                ? TestVms.usageOf(vm)
                : io.vminfo.core.VmUsage.EMPTY;
    h.start(b -> b.probe(onlyWhileRunning));
    h.advanceTo("2026-11-22T10:01:20Z");
    io.vminfo.core.Vm running = h.store.get(TestVms.uuid(0)).orElseThrow();
    h.store.put(running.toBuilder().put("state", "stopped").put("zone_state", "installed").build());
    h.advanceTo("2026-11-22T10:03:00Z");
    List<JsonNode> usage = Records.usage(h.local());
    assertThat(Records.keys(usage))
        .containsExactly(
            TestVms.uuid(0) + "@2026-11-22T10:01:00.000Z",
            TestVms.uuid(0) + "@2026-11-22T10:02:00.000Z",
            TestVms.uuid(0) + "@2026-11-22T10:03:00.000Z");
    JsonNode stoppedIn = usage.get(1);
    assertThat(stoppedIn.path("status").asText()).isEqualTo("stopped");
    assertThat(stoppedIn.path("cpu_usage").path("cpu_seconds").asDouble())
        .isEqualTo(usage.get(0).path("cpu_usage").path("cpu_seconds").asDouble());
    assertThat(stoppedIn.path("network_usage").size()).isEqualTo(1);
    assertThat(usage.get(2).has("cpu_usage")).as("the reading is used once").isFalse();
    assertThat(usage.get(2).has("network_usage")).isFalse();
  }

  /**
   * A guest destroyed hard ({@code virsh destroy}: its process, cgroup and taps are gone before the
   * stop event, so the read at the stop finds nothing) between two samples, after living a few
   * seconds: the counters read at its start are its record's. A transient one (deleted as it stops)
   * alike. Their next records have no counters.
   */
  @Test
  void aGuestDestroyedWithinOneIntervalKeepsTheCountersReadAtItsStart() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 0);
    Set<String> processRuns = java.util.concurrent.ConcurrentHashMap.newKeySet();
    io.vminfo.core.UsageProbe host =
        vm -> processRuns.contains(vm.uuid()) ? TestVms.usageOf(vm) : io.vminfo.core.VmUsage.EMPTY;
    h.start(b -> b.probe(host));
    h.advanceTo("2026-11-22T10:01:10Z");
    io.vminfo.core.Vm persistent = TestVms.vm(1).toBuilder().put("pid", 4242).build();
    io.vminfo.core.Vm transientVm = TestVms.vm(2).toBuilder().put("pid", 4343).build();
    for (io.vminfo.core.Vm vm : List.of(persistent, transientVm)) {
      processRuns.add(vm.uuid());
      h.store.put(vm); // created running: read at once
    }
    h.advanceTo("2026-11-22T10:01:15Z");
    processRuns.clear(); // destroyed: nothing left to read when the store hears of it
    h.store.put(
        persistent.toBuilder()
            .put("state", "stopped")
            .put("zone_state", "installed")
            .remove("pid")
            .build());
    h.store.remove(transientVm.uuid());
    h.advanceTo("2026-11-22T10:03:00Z");

    List<JsonNode> usage = Records.usage(h.local());
    assertThat(Records.keys(usage))
        .containsExactly(
            TestVms.uuid(1) + "@2026-11-22T10:02:00.000Z",
            TestVms.uuid(2) + "@2026-11-22T10:02:00.000Z",
            TestVms.uuid(1) + "@2026-11-22T10:03:00.000Z");
    for (int i = 0; i < 2; i++) {
      JsonNode r = usage.get(i);
      io.vminfo.core.VmUsage atStart = TestVms.usageOf(i == 0 ? persistent : transientVm);
      assertThat(r.path("cpu_usage").path("cpu_seconds").asDouble())
          .isEqualTo(atStart.cpu().orElseThrow().cpuSeconds());
      assertThat(r.path("network_usage").size()).isEqualTo(1);
    }
    assertThat(usage.get(0).path("status").asText()).isEqualTo("stopped");
    assertThat(usage.get(2).has("cpu_usage")).as("used once").isFalse();
  }

  /**
   * With {@code lastReadingsEvery}, a guest destroyed hard in the middle of an interval keeps its
   * usage up to the last read before the destroy, not only up to the last sample.
   */
  @Test
  void readingsBetweenSamplesKeepTheLastPartialIntervalOfAHardDestroy() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 0);
    Set<String> processRuns = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Instant boot = Instant.parse("2026-11-22T10:00:00Z");
    // CPU seconds grow with the clock while the process runs: one per second
    io.vminfo.core.UsageProbe host =
        vm ->
            processRuns.contains(vm.uuid())
                ? new io.vminfo.core.VmUsage(
                    java.util.Map.of(),
                    java.util.Optional.of(
                        new io.vminfo.core.VmUsage.CpuUsage(
                            Duration.between(boot, h.clock.instant()).toSeconds(), boot)),
                    java.util.Optional.empty(),
                    java.util.Map.of(),
                    List.of())
                : io.vminfo.core.VmUsage.EMPTY;
    io.vminfo.core.Vm vm = TestVms.vm(1).toBuilder().put("pid", 4242).build();
    processRuns.add(vm.uuid());
    h.store.put(vm);
    h.start(b -> b.probe(host).lastReadingsEvery(Duration.ofSeconds(10)));
    h.advanceTo("2026-11-22T10:01:35Z"); // sampled at 10:01:00, read at 10:01:10, :20, :30
    processRuns.clear();
    h.store.put(vm.toBuilder().put("state", "stopped").remove("pid").build());
    h.advanceTo("2026-11-22T10:02:00Z");
    List<JsonNode> usage = Records.usage(h.local());
    assertThat(Records.keys(usage))
        .containsExactly(
            TestVms.uuid(1) + "@2026-11-22T10:01:00.000Z",
            TestVms.uuid(1) + "@2026-11-22T10:02:00.000Z");
    assertThat(usage.get(0).path("cpu_usage").path("cpu_seconds").asLong()).isEqualTo(60);
    assertThat(usage.get(1).path("cpu_usage").path("cpu_seconds").asLong())
        .as("as read at 10:01:30, the last read before the destroy")
        .isEqualTo(90);
    assertThatThrownBy(() -> UsageService.builder().lastReadingsEvery(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                UsageService.builder()
                    .interval(Duration.ofSeconds(5))
                    .lastReadingsEvery(Duration.ofSeconds(10))
                    .spoolDir(tmp)
                    .serverUuid("h")
                    .objectStore(new LocalDirectoryStore(tmp.resolve("o")))
                    .remotePath(RemotePathTemplate.defaultFor("local"))
                    .store(h.store)
                    .probe(io.vminfo.core.UsageProbe.NONE)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lastReadingsEvery");
  }

  @Test
  void aLateSampleIsWrittenLateNeverSkipped() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start();
    h.advanceTo("2026-11-22T10:01:00Z");
    // A 2.5 minute pause (GC, suspended host): the clock moves, nothing runs.
    h.clock.advance(Duration.ofSeconds(150));
    h.scheduler.runDue();
    assertThat(sampleTimes(h.local()))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:03:00Z"));
    h.advanceTo("2026-11-22T10:05:00Z");
    assertThat(sampleTimes(h.local()))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:05:00Z"));
    assertUnique(h.local());
    assertThat(h.status().intervalsSkipped()).isZero();
  }

  @Test
  void aClockJumpingBackwardsNeverWritesATimestampTwice() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start();
    h.advanceTo("2026-11-22T10:05:00Z");
    h.clock.set(Instant.parse("2026-11-22T10:01:30Z"));
    h.advance(Duration.ofMinutes(6)); // to 10:07:30
    assertThat(sampleTimes(h.local()))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:07:00Z"));
    assertUnique(h.local());
  }

  @Test
  void aRestartOnAClockSteppedBackWaitsForItAndSaysSo() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start(b -> b.sampleOnStop(false));
    h.advanceTo("2026-11-22T10:05:10Z");
    h.stop();
    h.clock.set(Instant.parse("2026-11-22T10:01:30Z")); // stepped back between the runs
    h.start();
    h.advance(Duration.ofMinutes(2)); // to 10:03:30, behind the sample of 10:05
    assertThat(h.status().clockBehindUntil()).contains(Instant.parse("2026-11-22T10:05:00Z"));
    assertThat(h.status().lastError())
        .hasValueSatisfying(
            p ->
                assertThat(p.message())
                    .contains("behind the last usage sample (2026-11-22T10:05:00.000Z)"));
    h.advance(Duration.ofMinutes(4)); // to 10:07:30
    assertThat(h.status().clockBehindUntil()).isEmpty();
    assertThat(sampleTimes(h.local()))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:07:00Z"));
    assertUnique(h.local());
  }

  @Test
  void aStallLongerThanMaxCatchUpIsCountedAndReported() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    h.start(b -> b.maxCatchUp(5));
    h.advanceTo("2026-11-22T10:01:00Z");
    h.clock.advance(Duration.ofMinutes(20));
    h.scheduler.runDue();
    assertThat(sampleTimes(h.local()))
        .containsExactlyElementsOf(
            concat(
                minutes("2026-11-22T10:01:00Z", "2026-11-22T10:01:00Z"),
                minutes("2026-11-22T10:17:00Z", "2026-11-22T10:21:00Z")));
    UsageStatus s = h.status();
    assertThat(s.intervalsSkipped()).isEqualTo(15);
    assertThat(s.lastError())
        .hasValueSatisfying(p -> assertThat(p.message()).contains("15 sampling interval"));
  }

  @Test
  void restartsNeverDuplicateAndCatchUpWhatWasMissed() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start(b -> b.sampleOnStop(false));
    h.advanceTo("2026-11-22T10:03:20Z");
    h.stop();
    h.start(b -> b.sampleOnStop(false)); // same minute
    h.advanceTo("2026-11-22T10:04:10Z");
    h.crash(); // killed: no stop
    h.clock.set(Instant.parse("2026-11-22T10:06:30Z"));
    h.start();
    h.advanceTo("2026-11-22T10:08:00Z");
    assertThat(sampleTimes(h.local()))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:08:00Z"));
    assertUnique(h.local());
  }

  @Test
  void aGracefulStopSamplesTheIntervalInProgress() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start();
    h.advanceTo("2026-11-22T10:02:20Z");
    h.stop();
    assertThat(h.status().running()).isFalse();
    // The interval (10:02, 10:03] is recorded now, stamped with its end.
    assertThat(sampleTimes(h.local()))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:03:00Z"));
    h.start();
    h.advanceTo("2026-11-22T10:05:00Z");
    assertThat(sampleTimes(h.local()))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:05:00Z"));
    assertUnique(h.local());
  }

  @Test
  void aVmWhoseProbeThrowsStillGetsARecordWithoutUsage() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 3);
    h.failingProbes.add(TestVms.uuid(1));
    h.start();
    h.advanceTo("2026-11-22T10:02:00Z");
    List<JsonNode> usage = Records.usage(h.local());
    assertThat(usage).hasSize(6);
    for (JsonNode n : usage) {
      boolean failing = n.path("uuid").asText().equals(TestVms.uuid(1));
      assertThat(n.path("alias").asText()).startsWith("vm-");
      assertThat(n.path("max_physical_memory").asInt()).isEqualTo(1024);
      assertThat(n.has("network_usage")).isEqualTo(!failing);
      assertThat(n.has("cpu_usage")).isEqualTo(!failing);
      assertThat(n.has("memory_usage")).isEqualTo(!failing);
      assertThat(n.has("disk_usage")).isEqualTo(!failing);
    }
    assertThat(h.status().probeFailures()).isEqualTo(2);
    h.failingProbes.clear();
    h.advanceTo("2026-11-22T10:03:00Z");
    assertThat(Records.usage(h.local()).get(7).has("cpu_usage")).isTrue();
  }

  @Test
  void aProbeThatHangsCostsThatSamplesUsageNotTheSample() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 3);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService probes = Executors.newSingleThreadExecutor();
    try {
      h.start(
          b ->
              b.probeExecutor(probes)
                  .probeTimeout(Duration.ofMillis(200))
                  .probe(
                      vm -> {
                        if (vm.uuid().equals(TestVms.uuid(1))) {
                          try {
                            release.await(30, TimeUnit.SECONDS); // a stuck host command
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }
                        return TestVms.usageOf(vm);
                      }));
      h.advanceTo("2026-11-22T10:01:00Z");
      List<JsonNode> usage = Records.usage(h.local());
      assertThat(usage)
          .extracting(n -> n.path("uuid").asText())
          .containsExactly(TestVms.uuid(0), TestVms.uuid(1), TestVms.uuid(2));
      assertThat(usage.get(0).has("cpu_usage")).isTrue();
      assertThat(usage.get(1).has("cpu_usage")).isFalse();
      assertThat(usage.get(2).has("cpu_usage")).isFalse();
      assertThat(h.status().probeFailures()).isEqualTo(2);
      assertThat(h.status().lastError())
          .hasValueSatisfying(p -> assertThat(p.component()).isEqualTo("probe"));
    } finally {
      release.countDown();
      probes.shutdownNow();
    }
  }

  @Test
  void latestSamplesGiveTheNewestRecordPerVm() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    UsageService s = h.start();
    assertThat(s.latestSamples()).isEmpty();
    h.advanceTo("2026-11-22T10:02:00Z");
    List<UsageRecord> latest = s.latestSamples();
    assertThat(latest)
        .extracting(UsageRecord::uuid)
        .containsExactly(TestVms.uuid(0), TestVms.uuid(1));
    assertThat(latest)
        .extracting(UsageRecord::timestamp)
        .containsOnly(Instant.parse("2026-11-22T10:02:00Z"));
    for (UsageRecord r : latest) {
      Records.check(r.toJson());
    }
    List<String> lines = Records.usage(h.local()).stream().skip(2).map(JsonNode::toString).toList();
    assertThat(latest.stream().map(r -> Records.check(r.toJson()).toString()).toList())
        .isEqualTo(lines);
  }

  @Test
  void retainedCopiesStayForTheRetentionWindowThenGo() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    h.start(b -> b.retention(Duration.ofHours(2)));
    h.advanceTo("2026-11-22T11:03:00Z");
    Path gz = h.spool.resolve("2026/11/22/10/" + TestVms.SERVER + ".log.gz");
    assertThat(gz).exists();
    assertThat(h.remoteObject("2026-11-22T10:00:00Z", 0)).exists();
    assertThat(h.status().filesPending())
        .isEqualTo(1); // only hour 11; the retained copy is not pending
    assertThat(h.status().spoolBytes()).isGreaterThan(h.status().bytesPending());
    h.advanceTo("2026-11-22T13:01:59Z");
    assertThat(gz).exists();
    h.advanceTo("2026-11-22T13:02:00Z");
    assertThat(gz).doesNotExist();
    assertThat(h.spool.resolve("2026/11/22/10")).doesNotExist();
    assertThat(h.objects.storedCounts().values()).containsOnly(1);
  }

  @Test
  void uploadOnlyModeDrainsASpool() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.objects.down(true);
    h.start();
    h.advanceTo("2026-11-22T12:30:00Z");
    h.stop();
    List<JsonNode> written = h.local();
    h.objects.down(false);
    h.start(b -> b.sampling(false));
    h.advanceTo("2026-11-22T13:03:00Z");
    assertThat(h.local()).isEmpty();
    assertThat(Records.keys(h.uploaded()))
        .containsExactlyInAnyOrderElementsOf(Records.keys(written));
    assertThat(h.service.latestSamples()).isEmpty();
    assertThat(h.status().filesPending()).isZero();
  }

  @Test
  void onASharedSchedulerSamplesGoOnWhileAnUploadHangs() throws Exception {
    // One pool for sampling and shipping (what a caller-supplied scheduler means): samples taken
    // while an upload hangs must not queue more ship rounds that would block on the running one.
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    CountDownLatch uploading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ObjectStore hanging =
        (file, path, md5) -> {
          uploading.countDown();
          try {
            if (!release.await(30, TimeUnit.SECONDS)) {
              throw ObjectStoreException.retryable("test upload was never released", null);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ObjectStoreException.retryable("interrupted", e);
          }
          return h.objects.put(file, path, md5);
        };
    h.start(b -> b.objectStore(hanging));
    ExecutorService drivers = Executors.newFixedThreadPool(2);
    try {
      // This driver runs the round that seals hour 10 and hangs in its upload.
      var shipping = drivers.submit(() -> h.advanceTo("2026-11-22T11:02:30Z"));
      assertThat(uploading.await(10, TimeUnit.SECONDS)).as("upload started").isTrue();
      // Meanwhile ten more minutes of samples, on another thread of the same scheduler.
      var sampling = drivers.submit(() -> h.advance(Duration.ofMinutes(10)));
      sampling.get(10, TimeUnit.SECONDS);
      assertThat(h.status().lastSample()).contains(Instant.parse("2026-11-22T11:12:00Z"));
      assertThat(h.objects.puts()).isEmpty();

      release.countDown();
      shipping.get(10, TimeUnit.SECONDS);
      h.advance(Duration.ofMinutes(1));
      assertThat(h.objects.storedCounts())
          .containsOnlyKeys("/acct/stor/usage/2026/11/22/10/" + TestVms.SERVER + ".log.gz");
      assertThat(h.objects.storedCounts().values()).containsOnly(1);
      assertThat(sampleTimes(h.uploaded()))
          .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:59:00Z"));
      assertThat(sampleTimes(h.local()))
          .isEqualTo(minutes("2026-11-22T11:00:00Z", "2026-11-22T11:13:00Z"));
    } finally {
      release.countDown();
      drivers.shutdownNow();
      assertThat(drivers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    h.stop();
  }

  @Test
  void theBuilderRefusesBadConfiguration() {
    assertThatThrownBy(() -> UsageService.builder().serverUuid("../etc"))
        .hasMessageContaining("server uuid");
    assertThatThrownBy(() -> UsageService.builder().serverUuid("a.b"))
        .hasMessageContaining("server uuid");
    assertThatThrownBy(() -> UsageService.builder().interval(Duration.ofMillis(500)))
        .hasMessageContaining("interval");
    assertThatThrownBy(() -> UsageService.builder().interval(Duration.ofHours(2)))
        .hasMessageContaining("interval");
    assertThatThrownBy(() -> UsageService.builder().grace(Duration.ofSeconds(-1)))
        .hasMessageContaining("grace");
    assertThatThrownBy(() -> UsageService.builder().spoolCapBytes(0)).hasMessageContaining("cap");
    assertThatThrownBy(() -> UsageService.builder().retention(Duration.ofSeconds(-1)))
        .hasMessageContaining("retention");
    assertThatThrownBy(() -> UsageService.builder().maxCatchUp(0))
        .hasMessageContaining("maxCatchUp");
    assertThatThrownBy(
            () ->
                UsageService.builder().uploadBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("backoff");
    assertThatThrownBy(() -> UsageService.builder().datacenterName(" "))
        .hasMessageContaining("blank");
    assertThatThrownBy(
            () ->
                UsageService.builder()
                    .spoolDir(tmp)
                    .serverUuid("s")
                    .objectStore(new LocalDirectoryStore(tmp))
                    .remotePath(ServiceHarness.PATHS)
                    .build())
        .hasMessageContaining("store");
    UsageService upOnly =
        UsageService.builder()
            .spoolDir(tmp)
            .serverUuid("s")
            .sampling(false)
            .objectStore(new LocalDirectoryStore(tmp))
            .remotePath(ServiceHarness.PATHS)
            .build();
    assertThat(upOnly.latestSamples()).isEmpty();
  }

  @Test
  void startsOnceAndStopsItsOwnThreads() throws Exception {
    UsageService s =
        UsageService.builder()
            .store(VmStore.builder().build())
            .probe(TestVms.probe())
            .spoolDir(tmp.resolve("spool"))
            .serverUuid("s")
            .objectStore(new LocalDirectoryStore(tmp.resolve("r")))
            .remotePath(ServiceHarness.PATHS)
            .build();
    s.start();
    assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
    Set<String> names =
        Thread.getAllStackTraces().keySet().stream()
            .map(Thread::getName)
            .collect(Collectors.toSet());
    assertThat(names).contains("usage-sampler", "usage-shipper");
    assertThat(s.stop(Duration.ofSeconds(10))).isTrue();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("usage-") && t.isAlive()));
    assertThat(s.status().running()).isFalse();
  }

  @SafeVarargs
  static <T> List<T> concat(List<T>... lists) {
    List<T> out = new ArrayList<>();
    for (List<T> l : lists) {
      out.addAll(l);
    }
    return out;
  }
}
