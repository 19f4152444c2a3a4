package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.usage.internal.Md5;
import io.vminfo.usage.testing.FaultyStore;
import io.vminfo.usage.testing.Records;
import io.vminfo.usage.testing.TestVms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "Bad input and faults", each with a test. */
class FaultsTest {
  private static final String S = TestVms.SERVER;
  @TempDir Path tmp;

  private static List<Instant> sampleTimes(List<JsonNode> records) {
    return UsageServiceTest.sampleTimes(records);
  }

  private static List<Instant> minutes(String from, String to) {
    return UsageServiceTest.minutes(from, to);
  }

  @Test
  void aFullDiskIsReportedAndRetriedWithoutCorruptingEarlierRecords() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 3);
    h.start();
    h.advanceTo("2026-11-22T10:03:00Z");
    Path log = h.spool.resolve("2026/11/22/10/" + S + ".log");
    byte[] before = Files.readAllBytes(log);

    h.disk.freeBytes(700); // the next sample gets half way, then ENOSPC
    h.advanceTo("2026-11-22T10:06:00Z");
    UsageStatus s = h.status();
    assertThat(h.disk.failures()).isGreaterThanOrEqualTo(3);
    assertThat(s.samplesWaiting()).isEqualTo(3);
    assertThat(s.lastError())
        .hasValueSatisfying(
            p -> {
              assertThat(p.component()).isEqualTo("write");
              assertThat(p.message()).contains("No space left on device");
            });
    assertThat(s.lastSample()).contains(Instant.parse("2026-11-22T10:06:00Z"));
    assertThat(Files.readAllBytes(log))
        .as("earlier records untouched, no partial sample")
        .isEqualTo(before);

    h.disk.unlimited(); // space comes back
    h.advanceTo("2026-11-22T10:08:00Z");
    assertThat(h.status().samplesWaiting()).isZero();
    List<JsonNode> local = h.local();
    assertThat(sampleTimes(local))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:08:00Z"));
    assertThat(new HashSet<>(Records.keys(local))).hasSize(8 * 3);
    assertThat(Files.readAllBytes(log)).startsWith(before);
  }

  @Test
  void aReadOnlySpoolIsSaidSoAndASuccessorWritesTheSamplesItsPredecessorKept() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 3);
    h.start();
    h.advanceTo("2026-11-22T10:03:00Z");
    assertThat(h.service.takeWaitingSamples().isEmpty())
        .as("nothing handed out while running")
        .isTrue();
    h.disk.readOnly(true);
    h.advanceTo("2026-11-22T10:06:00Z");
    assertThat(h.service.spoolReadOnly()).isTrue();
    assertThat(h.status().samplesWaiting()).isEqualTo(3);
    assertThat(h.status().lastError())
        .hasValueSatisfying(p -> assertThat(p.message()).contains("Read-only file system"));
    h.stop();
    WaitingSamples kept = h.service.takeWaitingSamples();
    // the three refused, and the sample of the interval in progress that stop takes
    assertThat(kept.count()).isEqualTo(4);
    assertThat(kept.newest()).contains(Instant.parse("2026-11-22T10:07:00Z"));
    assertThat(h.service.takeWaitingSamples().isEmpty()).as("handed out once").isTrue();

    // repaired; the successor may catch up one boundary only: the kept ones are not caught up
    // but written as they were measured
    h.disk.readOnly(false);
    h.start(b -> b.carryOver(kept).maxCatchUp(1));
    assertThat(h.service.spoolReadOnly()).isFalse();
    h.advanceTo("2026-11-22T10:08:00Z");
    assertThat(h.status().samplesWaiting()).isZero();
    assertThat(h.status().intervalsSkipped()).isZero();
    List<JsonNode> local = h.local();
    assertThat(sampleTimes(local))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:08:00Z"));
    assertThat(new HashSet<>(Records.keys(local))).hasSize(8 * 3);
  }

  @Test
  void aDiskFullWhenTheHourIsSealedDelaysTheSealAndLosesNothing() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start(b -> b.grace(Duration.ofMinutes(1)));
    h.advanceTo("2026-11-22T11:01:30Z"); // hour 10 sealed and uploaded; 11:00, 11:01 written
    h.disk.freeBytes(0); // hour 11's samples and hour 10's nothing: everything waits
    h.advanceTo("2026-11-22T12:05:00Z"); // the seal of hour 11 (at 12:01) fails too
    UsageStatus full = h.status();
    assertThat(full.samplesWaiting()).isGreaterThan(60);
    assertThat(full.lastError())
        .hasValueSatisfying(p -> assertThat(p.message()).contains("No space left on device"));
    String hour11 =
        ServiceHarness.PATHS.render(Instant.parse("2026-11-22T11:00:00Z"), TestVms.SERVER, 0);
    assertThat(h.objects.storedCounts()).doesNotContainKey(hour11);

    h.disk.unlimited();
    h.advanceTo("2026-11-22T13:10:00Z");
    assertThat(h.status().samplesWaiting()).isZero();
    List<JsonNode> all = new ArrayList<>(h.uploaded());
    all.addAll(h.local());
    assertThat(sampleTimes(all)).isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T13:10:00Z"));
    UsageServiceTest.assertUnique(all);
    assertThat(Records.keys(all)).hasSize(190 * 2);
    assertThat(h.objects.storedCounts()).containsEntry(hour11, 1);
  }

  @Test
  void aCorruptSealedFileIsSetAsideReportedAndNeverUploaded() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.objects.down(true);
    h.start();
    h.advanceTo("2026-11-22T12:03:00Z"); // hours 10 and 11 sealed, not uploaded
    Path gz10 = h.spool.resolve("2026/11/22/10/" + S + ".log.gz");
    byte[] bytes = Files.readAllBytes(gz10);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(gz10, bytes);

    h.objects.down(false);
    h.advance(Duration.ofMinutes(10));
    assertThat(gz10).doesNotExist();
    Path aside = h.spool.resolve("corrupt/2026-11-22-10-" + S + ".log.gz");
    assertThat(aside).hasBinaryContent(bytes);
    assertThat(h.remoteObject("2026-11-22T10:00:00Z", 0)).doesNotExist();
    assertThat(h.remoteObject("2026-11-22T11:00:00Z", 0)).exists();
    UsageStatus s = h.status();
    assertThat(s.setAside())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.file()).isEqualTo("corrupt/2026-11-22-10-" + S + ".log.gz");
              assertThat(f.reason()).contains("MD5");
              assertThat(f.bytes()).isEqualTo(bytes.length);
            });
    assertThat(h.events).contains("set aside corrupt/2026-11-22-10-" + S + ".log.gz");
    assertThat(s.lastError()).isPresent();
    // Still reported after a restart.
    h.stop();
    h.start();
    assertThat(h.status().setAside())
        .extracting(UsageStatus.SetAsideFile::file)
        .containsExactly("corrupt/2026-11-22-10-" + S + ".log.gz");
  }

  @Test
  void aSealedFileWithoutItsMd5IsCheckedBeforeUpload() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.objects.down(true);
    h.start();
    h.advanceTo("2026-11-22T12:03:00Z");
    h.stop();
    Path hour10 = h.spool.resolve("2026/11/22/10/" + S + ".log.gz");
    Path hour11 = h.spool.resolve("2026/11/22/11/" + S + ".log.gz");
    String md5of11 = Md5.ofFile(hour11);
    Files.delete(hour10.resolveSibling(S + ".log.gz.md5"));
    Files.delete(hour11.resolveSibling(S + ".log.gz.md5"));
    byte[] bytes = Files.readAllBytes(hour10);
    bytes[bytes.length - 6] ^= 0x01; // breaks the gzip CRC
    Files.write(hour10, bytes);

    h.objects.down(false);
    h.start();
    h.advance(Duration.ofMinutes(1));
    assertThat(h.status().setAside())
        .singleElement()
        .satisfies(f -> assertThat(f.reason()).contains("gzip is damaged"));
    assertThat(h.remoteObject("2026-11-22T10:00:00Z", 0)).doesNotExist();
    assertThat(Md5.ofFile(h.remoteObject("2026-11-22T11:00:00Z", 0))).isEqualTo(md5of11);
  }

  @Test
  void aCorruptLedgerIsSetAsideReportedAndItsGoodEntriesKept() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start(b -> b.retention(Duration.ofDays(1)));
    h.advanceTo("2026-11-22T13:03:00Z"); // hours 10, 11, 12 uploaded and retained
    h.stop();
    Path ledger = h.spool.resolve("ledger/uploads.jsonl");
    List<String> lines = Files.readAllLines(ledger);
    assertThat(lines).hasSize(3);
    String damaged = lines.get(1).replace("\"bytes\":", "\"bytes\":1");
    Files.write(ledger, List.of(lines.get(0), damaged, lines.get(2)));
    Map<String, Integer> storedBefore = h.objects.storedCounts();
    String md5of11 = Md5.ofFile(h.remoteObject("2026-11-22T11:00:00Z", 0));

    h.start(b -> b.retention(Duration.ofDays(1)));
    UsageStatus s = h.status();
    assertThat(s.setAside())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.file()).startsWith("corrupt/ledger-");
              assertThat(f.reason()).contains("1 corrupt ledger line");
            });
    assertThat(h.events).anyMatch(e -> e.startsWith("set aside corrupt/ledger-"));
    // The upload whose entry was lost is done again (at the first round after the start): the
    // same bytes to the same path.
    h.advance(Duration.ofMinutes(1));
    List<String> now = Files.readAllLines(ledger);
    assertThat(now.subList(0, 2)).containsExactly(lines.get(0), lines.get(2));
    assertThat(now.get(2)).contains("\"file\":\"2026/11/22/11/");
    assertThat(
            h.objects
                .storedCounts()
                .get(ServiceHarness.PATHS.render(Instant.parse("2026-11-22T11:00:00Z"), S, 0)))
        .isEqualTo(2);
    assertThat(Md5.ofFile(h.remoteObject("2026-11-22T11:00:00Z", 0))).isEqualTo(md5of11);
    assertThat(storedBefore.values()).containsOnly(1);
  }

  @Test
  void theStoreDownForManyHoursEndsWithEveryRecordUploadedExactlyOnce() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 3);
    h.objects.down(true);
    h.start(b -> b.uploadBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5)));
    h.advanceTo("2026-11-22T22:30:00Z");
    UsageStatus down = h.status();
    assertThat(down.uploadsSucceeded()).isZero();
    assertThat(down.uploadsFailed()).isGreaterThan(100);
    assertThat(down.filesPending()).isEqualTo(13);
    assertThat(down.oldestPendingHour()).contains(Instant.parse("2026-11-22T10:00:00Z"));
    assertThat(down.nextUploadAttempt()).isPresent();
    assertThat(Duration.between(h.clock.instant(), down.nextUploadAttempt().get()))
        .isLessThanOrEqualTo(Duration.ofMinutes(5));
    assertThat(down.lastError()).hasValueSatisfying(p -> assertThat(p.message()).contains("503"));

    h.objects.down(false);
    h.advanceTo("2026-11-22T23:03:00Z");
    UsageStatus up = h.status();
    assertThat(up.uploadsSucceeded()).isEqualTo(13);
    assertThat(up.filesPending()).isEqualTo(1);
    // Oldest first, each hour once.
    List<String> stored =
        h.objects.puts().stream()
            .filter(FaultyStore.Put::stored)
            .map(FaultyStore.Put::remotePath)
            .toList();
    assertThat(stored).hasSize(13).isSorted().doesNotHaveDuplicates();
    List<JsonNode> uploaded = h.uploaded();
    assertThat(sampleTimes(uploaded))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T22:59:00Z"));
    List<String> keys = Records.keys(uploaded);
    assertThat(new HashSet<>(keys)).hasSize(keys.size()).hasSize(779 * 3);
  }

  @Test
  void backoffIsCappedAndJittered() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    h.objects.down(true);
    h.start(b -> b.uploadBackoff(Duration.ofSeconds(1), Duration.ofMinutes(2)).jitter(() -> 0.0));
    List<Instant> attempts = new ArrayList<>();
    Instant end = Instant.parse("2026-11-22T13:00:00Z");
    int seen = 0;
    while (h.clock.instant().isBefore(end)) {
      h.advance(Duration.ofSeconds(1));
      if (h.objects.puts().size() > seen) {
        seen = h.objects.puts().size();
        attempts.add(h.clock.instant());
      }
    }
    List<Duration> gaps = new ArrayList<>();
    for (int i = 1; i < attempts.size(); i++) {
      gaps.add(Duration.between(attempts.get(i - 1), attempts.get(i)));
    }
    assertThat(gaps.get(0)).isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(gaps)
        .allSatisfy(g -> assertThat(g).isLessThanOrEqualTo(Duration.ofMinutes(1).plusSeconds(1)));
    assertThat(gaps.subList(gaps.size() - 5, gaps.size()))
        .allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(Duration.ofMinutes(1)));
  }

  @Test
  void aPermanentFailureIsParkedVisiblyAndRetriedAtTheNextStart() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    h.objects.refuse("/10/" + S + ".log.gz");
    h.start(b -> b.parkedRetry(Duration.ofHours(6)));
    h.advanceTo("2026-11-22T12:03:00Z");
    UsageStatus s = h.status();
    assertThat(s.parked())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.file()).isEqualTo("2026/11/22/10/" + S + ".log.gz");
              assertThat(p.remotePath())
                  .isEqualTo("/acct/stor/usage/2026/11/22/10/" + S + ".log.gz");
              assertThat(p.reason()).contains("403");
            });
    assertThat(h.remoteObject("2026-11-22T11:00:00Z", 0)).exists();
    long attempts = h.objects.puts().stream().filter(p -> p.remotePath().contains("/10/")).count();
    assertThat(attempts).as("not retried forever").isEqualTo(1);
    assertThat(s.filesPending()).isEqualTo(2);
    assertThat(h.events)
        .contains("failed /acct/stor/usage/2026/11/22/10/" + S + ".log.gz PERMANENT");

    h.stop();
    h.objects.refuse("nothing-matches-this");
    h.objects.puts();
    FaultyStore fixed = new FaultyStore(h.remote);
    ServiceHarness again = h;
    again.start(b -> b.objectStore(fixed));
    again.advance(Duration.ofMinutes(1));
    assertThat(again.status().parked()).isEmpty();
    assertThat(again.remoteObject("2026-11-22T10:00:00Z", 0)).exists();
  }

  @Test
  void aParkedUploadIsTriedAgainAfterTheParkedRetryDelay() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    String hour10 = "/10/" + S + ".log.gz";
    h.objects.refuse(hour10);
    h.start(b -> b.parkedRetry(Duration.ofMinutes(30)));
    h.advanceTo("2026-11-22T11:03:00Z");
    assertThat(h.status().parked())
        .singleElement()
        .satisfies(p -> assertThat(p.since()).isEqualTo(Instant.parse("2026-11-22T11:02:00Z")));

    h.advanceTo("2026-11-22T11:31:59Z");
    assertThat(h.objects.puts()).as("not before the delay").hasSize(1);
    h.advanceTo("2026-11-22T11:33:00Z");
    assertThat(h.objects.puts()).hasSize(2).allSatisfy(p -> assertThat(p.stored()).isFalse());
    assertThat(h.status().parked())
        .singleElement()
        .satisfies(p -> assertThat(p.since()).isEqualTo(Instant.parse("2026-11-22T11:32:00Z")));

    h.objects.allow(hour10);
    h.advanceTo("2026-11-22T12:03:00Z");
    assertThat(h.status().parked()).isEmpty();
    assertThat(h.remoteObject("2026-11-22T10:00:00Z", 0)).exists();
    assertThat(h.remoteObject("2026-11-22T11:00:00Z", 0)).exists();
    assertThat(h.objects.storedCounts().values()).containsOnly(1);
    assertThat(sampleTimes(h.uploaded())).hasSize(119);
    h.stop();
  }

  @Test
  void aStoreThatThrowsAnErrorParksThatFileAndShippingGoesOn() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    ObjectStore flaky =
        (file, path, md5) -> {
          if (calls.getAndIncrement() == 0) {
            throw new LinkageError("adapter class broken");
          }
          return h.objects.put(file, path, md5);
        };
    h.start(b -> b.objectStore(flaky).parkedRetry(Duration.ofMinutes(30)));
    h.advanceTo("2026-11-22T11:03:00Z");
    assertThat(h.status().parked())
        .singleElement()
        .satisfies(p -> assertThat(p.reason()).contains("adapter class broken"));
    h.advanceTo("2026-11-22T12:03:00Z");
    assertThat(h.status().parked()).isEmpty();
    assertThat(h.remoteObject("2026-11-22T10:00:00Z", 0)).exists();
    assertThat(h.remoteObject("2026-11-22T11:00:00Z", 0)).exists();
    h.stop();
  }

  @Test
  void aWrongMd5FromTheStoreIsRetriedThenParked() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1);
    h.objects.wrongMd5(1);
    h.start();
    h.advanceTo("2026-11-22T11:03:00Z");
    assertThat(h.objects.storedCounts()).containsValue(2);
    assertThat(h.status().uploadsSucceeded()).isEqualTo(1);
    assertThat(h.status().parked()).isEmpty();

    h.objects.wrongMd5(100);
    h.advanceTo("2026-11-22T12:30:00Z");
    assertThat(h.status().parked())
        .singleElement()
        .satisfies(p -> assertThat(p.reason()).contains("store computed MD5").contains("3 times"));
    assertThat(Files.exists(h.spool.resolve("ledger/uploads.jsonl"))).isTrue();
  }

  @Test
  void afterAFailureBetweenUploadAndLedgerTheReuploadIsTheSameBytesToTheSamePath()
      throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.objects.down(true);
    h.start();
    h.advanceTo("2026-11-22T11:02:30Z"); // hour 10 sealed, upload failing
    h.objects.down(false);
    h.disk.freeBytes(0); // the store takes it, but the ledger cannot be written
    h.advance(Duration.ofSeconds(25)); // one retry falls in here, no sample does
    String path = ServiceHarness.PATHS.render(Instant.parse("2026-11-22T10:00:00Z"), S, 0);
    assertThat(h.objects.storedCounts().get(path)).isEqualTo(1);
    assertThat(h.status().lastError())
        .hasValueSatisfying(p -> assertThat(p.component()).isEqualTo("ledger"));
    Path local = h.spool.resolve("2026/11/22/10/" + S + ".log.gz");
    assertThat(local).exists();
    String md5 = Md5.ofFile(local);

    h.disk.unlimited();
    h.advance(Duration.ofMinutes(6));
    assertThat(h.objects.storedCounts().get(path)).isEqualTo(2);
    List<FaultyStore.Put> puts =
        h.objects.puts().stream().filter(p -> p.remotePath().equals(path) && p.stored()).toList();
    assertThat(puts).extracting(FaultyStore.Put::md5).containsExactly(md5, md5);
    assertThat(Md5.ofFile(h.remoteObject("2026-11-22T10:00:00Z", 0))).isEqualTo(md5);
    assertThat(local).doesNotExist();
    assertThat(Files.readAllLines(h.spool.resolve("ledger/uploads.jsonl"))).hasSize(1);
  }

  @Test
  void afterACrashBetweenUploadAndLedgerTheRestartUploadsTheSameBytesToTheSamePath()
      throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start(b -> b.retention(Duration.ofDays(1)));
    h.advanceTo("2026-11-22T11:03:00Z");
    Path ledger = h.spool.resolve("ledger/uploads.jsonl");
    assertThat(Files.readAllLines(ledger)).hasSize(1);
    // The crash came after the store had it but before the ledger entry was durable.
    h.crash();
    Files.write(ledger, new byte[0]);
    String md5 = Md5.ofFile(h.remoteObject("2026-11-22T10:00:00Z", 0));
    h.start(b -> b.retention(Duration.ofDays(1)));
    h.advance(Duration.ofMinutes(1));
    String path = ServiceHarness.PATHS.render(Instant.parse("2026-11-22T10:00:00Z"), S, 0);
    assertThat(
            h.objects.puts().stream()
                .filter(p -> p.remotePath().equals(path) && p.stored())
                .map(FaultyStore.Put::md5))
        .containsExactly(md5, md5);
    assertThat(Files.readAllLines(ledger)).hasSize(1);
  }

  @Test
  void recordsForAnAlreadySealedHourGoToANewSegment() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:58:30Z", 1);
    h.start(b -> b.grace(Duration.ZERO));
    h.advanceTo("2026-11-22T10:59:00Z");
    // Suspended from 10:59:00 to 11:05: the shipper gets to run before the sampler catches up.
    h.clock.advance(Duration.ofMinutes(6));
    h.service.status(); // nothing runs until the scheduler does
    h.scheduler.runDue();
    h.advanceTo("2026-11-22T12:01:00Z");
    assertThat(h.remoteObject("2026-11-22T10:00:00Z", 0)).exists();
    List<JsonNode> all = new ArrayList<>(h.uploaded());
    all.addAll(h.local());
    assertThat(sampleTimes(all)).isEqualTo(minutes("2026-11-22T10:59:00Z", "2026-11-22T12:01:00Z"));
    assertThat(new HashSet<>(Records.keys(all))).hasSize(Records.keys(all).size());
  }

  @Test
  void theSpoolCapDropsRetainedCopiesFirstThenTheOldestUnuploadedDataAndSaysSo() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 5);
    h.start(b -> b.retention(Duration.ofDays(1)));
    h.advanceTo("2026-11-22T12:03:00Z"); // hours 10 and 11 uploaded and kept for a day
    h.objects.down(true);
    h.advanceTo("2026-11-22T16:03:00Z"); // hours 12 to 15 sealed, waiting for the store
    h.stop();
    UsageStatus before = h.status();
    Path hours = h.spool.resolve("2026/11/22");
    for (String hour : List.of("10", "11", "12", "13", "14", "15")) {
      assertThat(hours.resolve(hour + "/" + S + ".log.gz")).exists();
    }
    long cap =
        before.bytesPending() - 1; // every retained copy and at least one pending file must go

    List<String> retainedWhenFirstDropped = new ArrayList<>();
    h.start(
        b ->
            b.retention(Duration.ofDays(1))
                .spoolCapBytes(cap)
                .listener(
                    new UsageListener() {
                      @Override
                      public void dropped(String what, long bytes, String reason) {
                        retainedWhenFirstDropped.add(
                            what
                                + " "
                                + Files.exists(hours.resolve("10/" + S + ".log.gz"))
                                + "/"
                                + Files.exists(hours.resolve("11/" + S + ".log.gz")));
                      }
                    }));
    UsageStatus s = h.status();
    assertThat(retainedWhenFirstDropped)
        .containsExactly("2026/11/22/12/" + S + ".log.gz false/false");
    for (String hour : List.of("10", "11", "12")) {
      assertThat(hours.resolve(hour)).doesNotExist();
    }
    for (String hour : List.of("13", "14", "15")) {
      assertThat(hours.resolve(hour + "/" + S + ".log.gz")).exists();
    }
    assertThat(s.droppedFiles()).isEqualTo(1);
    assertThat(s.droppedBytes()).isPositive();
    assertThat(s.droppedSamples()).isZero();
    assertThat(s.spoolBytes()).isLessThanOrEqualTo(cap);
    assertThat(s.oldestPendingHour()).contains(Instant.parse("2026-11-22T13:00:00Z"));

    // Once the store is back, what was not dropped is uploaded, and the spool keeps recording.
    h.objects.down(false);
    h.advance(Duration.ofMinutes(10));
    for (String hour : List.of("13", "14", "15")) {
      assertThat(h.remoteObject("2026-11-22T" + hour + ":00:00Z", 0)).exists();
    }
    assertThat(h.remoteObject("2026-11-22T12:00:00Z", 0)).doesNotExist();
    assertThat(h.status().spoolBytes()).isLessThanOrEqualTo(cap);
  }

  @Test
  void aSampleBiggerThanTheWholeCapIsDroppedAndCounted() {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 3);
    h.start(b -> b.spoolCapBytes(1000));
    h.advanceTo("2026-11-22T10:02:00Z");
    UsageStatus s = h.status();
    assertThat(s.droppedSamples()).isEqualTo(2);
    assertThat(s.droppedBytes()).isGreaterThan(1000);
    assertThat(s.samplesWritten()).isZero();
    assertThat(h.events)
        .containsExactly(
            "dropped sample 2026-11-22T10:01:00.000Z", "dropped sample 2026-11-22T10:02:00.000Z");
  }

  @Test
  void tornSamplesAndHalfDoneSealingAreRepairedAtStart() throws Exception {
    ServiceHarness h = new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 2);
    h.start(b -> b.sampleOnStop(false));
    h.advanceTo("2026-11-22T10:05:00Z");
    h.crash();
    Path log = h.spool.resolve("2026/11/22/10/" + S + ".log");
    // A torn write of the next sample, and temp files of an interrupted seal.
    Files.write(
        log,
        "{\"v\":1,\"type\":\"usage\",\"timestamp\":\"2026-11-22T10:06:00.000Z\""
            .getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(log.resolveSibling("." + S + ".log.gz.tmp"), "partial");
    h.clock.set(Instant.parse("2026-11-22T10:07:10Z"));
    h.start();
    assertThat(log.resolveSibling("." + S + ".log.gz.tmp")).doesNotExist();
    h.advanceTo("2026-11-22T10:08:00Z");
    List<JsonNode> local = h.local();
    assertThat(sampleTimes(local))
        .isEqualTo(minutes("2026-11-22T10:01:00Z", "2026-11-22T10:08:00Z"));
    assertThat(new HashSet<>(Records.keys(local))).hasSize(16);
  }

  @Test
  void aSpoolThatCannotBeCreatedFailsTheStartClearly() throws Exception {
    Path file = tmp.resolve("not-a-dir");
    Files.writeString(file, "x");
    UsageService s =
        new ServiceHarness(tmp, "2026-11-22T10:00:30Z", 1)
            .builder()
            .spoolDir(file.resolve("spool"))
            .build();
    org.assertj.core.api.Assertions.assertThatThrownBy(s::start)
        .isInstanceOf(java.io.IOException.class);
    assertThat(s.status().running()).isFalse();
  }
}
