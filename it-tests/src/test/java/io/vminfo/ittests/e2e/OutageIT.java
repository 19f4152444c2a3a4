package io.vminfo.ittests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentLogLine;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.MantaAccount;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.UsageArchive;
import io.vminfo.ittests.ZoneSpec;
import io.vminfo.manta.emulator.MantaEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * E2E 6: Manta (the emulator) refuses every request for several simulated hours while the packaged
 * agent keeps recording on accelerated time. The backlog waits in the spool, visible in {@code
 * /status}; after recovery it is uploaded oldest hour first and nothing is missing or doubled. With
 * a small spool cap the oldest un-uploaded hours are dropped instead, and each drop is logged,
 * counted in {@code /status} and {@code /metrics}: never silently.
 */
// Mostly waits on the simulated usage clock: runs beside the other classes.
@Execution(ExecutionMode.CONCURRENT)
class OutageIT {
  static final Duration WAIT = Duration.ofSeconds(90);
  static final Pattern HOUR =
      Pattern.compile("/(\\d{4})/(\\d\\d)/(\\d\\d)/(\\d\\d)/[^/]+\\.log(\\.\\d+)?\\.gz$");

  @TempDir Path dir;

  @Test
  void theBacklogUploadsOldestFirstAfterHoursOfOutage() throws Exception {
    SmartOsHostTree tree = tree(5);
    MantaAccount account = MantaAccount.create(dir.resolve("keys"), "acct");
    try (MantaEmulator manta =
            account.register(MantaEmulator.builder().root(dir.resolve("manta"))).start();
        AgentProcess agent = agent(account, manta, tree, 1800).start()) {
      await().atMost(WAIT).until(() -> objects(manta).size() >= 1);

      manta.faults().refuseAll();
      int before = objects(manta).size();
      // several simulated hours (2 s each) sealed and waiting
      JsonNode during =
          await()
              .atMost(WAIT)
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> agent.getJson("/status").path("usage"),
                  u ->
                      u.has("lastSample")
                          && u.path("upload").has("oldestPendingHour")
                          && Duration.between(
                                      Instant.parse(
                                          u.path("upload").path("oldestPendingHour").asText()),
                                      Instant.parse(u.path("lastSample").asText()))
                                  .toHours()
                              >= 5)
              .path("upload");
      assertThat(during.path("failed").asLong()).isPositive();
      assertThat(objects(manta)).hasSize(before);
      JsonNode usage = agent.getJson("/status").path("usage");
      assertThat(usage.path("lastError").path("message").asText()).contains("503");
      String oldestPending = usage.path("upload").path("oldestPendingHour").asText();
      System.out.println("OutageIT: during the outage: " + usage.path("upload"));

      int firstRequestAfter = manta.requests().size();
      manta.faults().acceptAll();
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  agent.getJson("/status").path("usage").path("upload").path("pendingFiles").asInt()
                      <= 1);

      List<String> hoursPut = new ArrayList<>();
      for (MantaEmulator.Request r :
          manta.requests().subList(firstRequestAfter, manta.requests().size())) {
        Matcher m = HOUR.matcher(r.uri());
        if (r.method().equals("PUT") && r.status() == 204 && m.find()) {
          hoursPut.add(m.group(1) + "-" + m.group(2) + "-" + m.group(3) + "T" + m.group(4));
        }
      }
      System.out.println("OutageIT: hours uploaded after recovery, in order: " + hoursPut);
      assertThat(hoursPut).isSorted();
      assertThat(new TreeSet<>(hoursPut)).hasSizeGreaterThanOrEqualTo(5);
      assertThat(hoursPut.get(0)).isEqualTo(oldestPending.substring(0, 13));
      UsageChecks.Uploaded uploaded = UsageChecks.checkUploaded(manta.root());
      UsageChecks.assertContiguous(uploaded, Duration.ofMinutes(1));
      assertThat(agent.getJson("/status").path("usage").path("dropped").path("bytes").asLong())
          .isZero();
    }
  }

  /**
   * 36 VMs write ~0.9 MB per simulated hour (rate 1800: 2 s) against the smallest cap (1 MiB):
   * during the outage the backlog cannot fit, so the recorder frees space oldest first (sealed
   * hours, then open files of earlier hours; never the hour being written), logging, counting and
   * reporting every drop.
   */
  @Test
  void pastTheSpoolCapTheOldestHoursAreDroppedAndReported() throws Exception {
    SmartOsHostTree tree = tree(36);
    MantaAccount account = MantaAccount.create(dir.resolve("keys"), "acct");
    try (MantaEmulator manta =
            account.register(MantaEmulator.builder().root(dir.resolve("manta"))).start();
        AgentProcess agent =
            agent(account, manta, tree, 1800).set("usage.spool_cap", "1MiB").start()) {
      long t0 = System.nanoTime();
      await().atMost(WAIT).until(() -> objects(manta).size() >= 1);
      manta.faults().refuseAll();
      long t1 = System.nanoTime();
      long cap = 1024 * 1024;
      long maxSpool = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      JsonNode usage;
      do {
        usage = agent.getJson("/status").path("usage");
        maxSpool = Math.max(maxSpool, usage.path("spool").path("bytes").asLong());
        Thread.sleep(50);
      } while (usage.path("dropped").path("files").asLong() < 2 && System.nanoTime() < deadline);
      System.out.println(
          "OutageIT: spool cap: "
              + usage.path("spool")
              + " "
              + usage.path("dropped")
              + "; largest spool seen "
              + maxSpool);
      assertThat(usage.path("dropped").path("files").asLong()).isGreaterThanOrEqualTo(2);
      assertThat(usage.path("dropped").path("bytes").asLong()).isPositive();
      assertThat(maxSpool).isLessThanOrEqualTo(cap);
      assertThat(agent.get("/metrics").body())
          .containsPattern("vminfo_usage_dropped_bytes_total(\\{[^}]*\\})? [1-9]");

      long t2 = System.nanoTime();
      manta.faults().acceptAll();
      // wait for the first hour wholly after the recovery to be uploaded
      String recoveryHour =
          agent.getJson("/status").path("usage").path("lastSample").asText().substring(0, 13);
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> hours(manta).stream().anyMatch(h -> h.compareTo(recoveryHour) > 0));
      long t3 = System.nanoTime();
      System.out.printf(
          "OutageIT: first upload after %d ms, outage %d ms, recovery %d ms%n",
          (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);

      List<AgentLogLine> drops =
          agent.logLines(l -> l.isWarning() && l.message().startsWith("usage data DROPPED"));
      Set<String> droppedFiles = new TreeSet<>();
      Pattern file = Pattern.compile("(\\d{4}/\\d\\d/\\d\\d/\\d\\d/[^ ]+?\\.log)(\\.gz)?");
      for (AgentLogLine l : drops) {
        Matcher m = file.matcher(l.message());
        if (m.find()) {
          droppedFiles.add(m.group(1));
        }
      }
      UsageChecks.Uploaded uploaded = UsageChecks.checkUploaded(manta.root());
      TreeSet<String> uploadedHours = new TreeSet<>();
      for (Instant t : uploaded.vmCountBySample().keySet()) {
        uploadedHours.add(t.toString().substring(0, 13));
      }
      Set<String> uploadedFiles = new TreeSet<>();
      for (UsageArchive.UsageObject o : uploaded.objects()) {
        Matcher m = file.matcher(o.path());
        if (m.find()) {
          uploadedFiles.add(m.group(1));
        }
      }
      System.out.println("OutageIT: dropped files " + droppedFiles + ", uploaded " + uploadedFiles);
      assertThat(droppedFiles)
          .hasSizeGreaterThanOrEqualTo(2)
          .doesNotContainAnyElementsOf(uploadedFiles);
      // oldest first: every hour wholly kept through the outage is newer than every dropped file
      String newestDropped = ((TreeSet<String>) droppedFiles).last().substring(0, 13);
      String firstUpload = uploadedHours.first();
      List<String> keptThroughOutage =
          uploadedHours.stream()
              .filter(h -> !h.equals(firstUpload))
              .map(h -> h.replace('-', '/').replace('T', '/'))
              .filter(h -> droppedFiles.stream().noneMatch(f -> f.startsWith(h)))
              .toList();
      assertThat(keptThroughOutage).isNotEmpty();
      // The file being uploaded when the cap bites is never dropped (the spool's rule), so an
      // hour older than a dropped one survives only as the upload in flight at some drop: at most
      // one per drop (the file in flight moves on between drops: CI saw 12 dropped, 13 in flight
      // and kept, 14 dropped). Any other survivor is newer than every dropped file.
      List<String> olderThanADrop =
          keptThroughOutage.stream().filter(h -> h.compareTo(newestDropped) < 0).toList();
      assertThat(olderThanADrop)
          .as("kept hours older than a dropped file: only ones in flight")
          .hasSizeLessThanOrEqualTo(droppedFiles.size());
      // and what was kept is whole but for samples that did not fit, each counted: every uploaded
      // hour but the first (the agent started in it), the newest and those with a dropped file has
      // 60 samples, or the missing ones were reported dropped
      long missing = 0;
      for (String h :
          uploadedHours.subSet(uploadedHours.first(), false, uploadedHours.last(), false)) {
        String dirOfHour = h.replace('-', '/').replace('T', '/');
        if (droppedFiles.stream().anyMatch(f -> f.startsWith(dirOfHour))) {
          continue; // part of this hour was dropped as a file (counted above)
        }
        long n =
            uploaded.vmCountBySample().keySet().stream()
                .filter(t -> t.toString().startsWith(h))
                .count();
        if (n != 60) {
          System.out.println(
              "OutageIT: hour "
                  + h
                  + " has "
                  + n
                  + " samples: "
                  + uploaded.vmCountBySample().keySet().stream()
                      .filter(t -> t.toString().startsWith(h))
                      .toList());
        }
        missing += 60 - n;
      }
      drops.forEach(d -> System.out.println("OutageIT: " + d.message()));
      long droppedSamples =
          agent.getJson("/status").path("usage").path("dropped").path("samples").asLong();
      System.out.printf(
          "OutageIT: %d samples missing from kept hours, %d samples reported dropped%n",
          missing, droppedSamples);
      assertThat(missing).isLessThanOrEqualTo(droppedSamples);
      assertThat(uploaded.vmCountBySample().values()).containsOnly(36L);
    }
  }

  static Set<String> hours(MantaEmulator manta) throws Exception {
    Set<String> out = new TreeSet<>();
    for (UsageArchive.UsageObject o : objects(manta)) {
      out.add(o.hour().replace("/", "-").replaceFirst("-(\\d\\d)$", "T$1"));
    }
    return out;
  }

  SmartOsHostTree tree(int zones) throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    for (int i = 0; i < zones; i++) {
      tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "vm" + i));
    }
    return tree;
  }

  AgentProcess.Builder agent(
      MantaAccount account, MantaEmulator manta, SmartOsHostTree tree, int rate) {
    return account
        .configure(E2e.smartosAgent(dir, tree), manta.url())
        .set("usage.interval", "60s")
        .set("usage.grace", "2m")
        // On accelerated time a busy machine's stall of a few seconds is hours: fill it in.
        .set("usage.max_catch_up", "168h")
        .set("testing.usage_clock_rate", rate);
  }

  static List<UsageArchive.UsageObject> objects(MantaEmulator manta) throws Exception {
    return UsageArchive.read(manta.root());
  }
}
