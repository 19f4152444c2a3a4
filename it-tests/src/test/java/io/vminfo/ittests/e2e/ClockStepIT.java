package io.vminfo.ittests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentLogLine;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
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
 * Issue 13 point 4, clock steps between runs, on the packaged agent and accelerated usage time
 * (rate 1440: a simulated minute every 42 ms). Run 1 records normally. Run 2 starts on a clock
 * stepped back 6 hours: its spool's newest samples and open hour file are "from the future"; it
 * serves, says so ({@code /status} {@code usage.clockBehindUntil} and {@code lastError}, metric
 * {@code vminfo_usage_clock_behind} 1, a WARN), samples nothing until the clock passes its last
 * sample, then goes on with no gap. Run 3 starts on a clock stepped forward 2 days: the old open
 * hour file is sealed and uploaded, the gap past {@code usage.max_catch_up} is counted ({@code
 * intervalsSkipped}, {@code vminfo_usage_intervals_skipped_total}, a WARN naming the range). In the
 * end every sample is in the archive or the spool exactly once, and the only minutes missing are
 * the ones the agent said it skipped.
 */
// Mostly waits on the simulated usage clock: runs beside the other classes.
@Execution(ExecutionMode.CONCURRENT)
class ClockStepIT {
  private static final int RATE = 1440;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern SKIPPED =
      Pattern.compile("SKIPPED (\\d+) interval\\(s\\) from (\\S+) to (\\S+),");

  @TempDir Path dir;

  /** The origin whose accelerated timeline runs {@code shift} ahead of (or behind) origin's. */
  private static Instant shifted(Instant origin, Duration shift) {
    // simulated(t) = o + (t - o) * R, so moving o by -d / (R - 1) moves simulated time by +d.
    return origin.minusMillis(shift.toMillis() / (RATE - 1));
  }

  @Test
  void clockSteppedBackThenForwardBetweenRunsLosesAndDuplicatesNothing() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    for (int i = 0; i < 2; i++) {
      tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "vm" + i));
    }
    Instant origin = Instant.now();
    AgentProcess.Builder agent =
        E2e.smartosAgent(dir, tree)
            .set("usage.interval", "60s")
            .set("usage.grace", "2m")
            // a restart on a busy machine is tens of simulated minutes: fill such gaps in
            .set("usage.max_catch_up", "168h")
            .set("testing.usage_clock_rate", RATE)
            .set("testing.usage_clock_origin", origin.toString())
            .set("shutdown_timeout", "5s");
    Path spool = agent.stateDir().resolve("spool");
    Path archive = agent.stateDir().resolve("archive");

    Instant lastOfRun1;
    try (AgentProcess run1 = agent.start()) {
      await().atMost(WAIT).until(() -> usage(run1).path("upload").path("succeeded").asLong() >= 1);
      assertThat(run1.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }
    lastOfRun1 = newestSample(UsageChecks.durableSpoolRecords(spool));

    // 12 h back: the agent is behind for 30 s from run 1's stop (12 h / RATE), and its start is
    // in those 30 s. With 6 h (15 s), a start slowed by the ITs running beside this one used up
    // the whole window once, and the test never saw the agent behind.
    agent.set("testing.usage_clock_origin", shifted(origin, Duration.ofHours(-12)).toString());
    try (AgentProcess run2 = agent.start()) {
      // /status and /metrics read in one poll, both while behind: on a busy machine the few
      // seconds of being behind can end between two separate reads.
      Pattern behindGauge = Pattern.compile("(?m)^vminfo_usage_clock_behind(\\{[^}]*\\})? 1\\.0$");
      JsonNode behind =
          await()
              .atMost(WAIT)
              .until(
                  () -> {
                    JsonNode u = usage(run2);
                    return u.has("clockBehindUntil")
                            && behindGauge.matcher(run2.get("/metrics").body()).find()
                        ? u
                        : null;
                  },
                  java.util.Objects::nonNull);
      System.out.println("ClockStepIT: clock stepped back, /status usage: " + behind);
      assertThat(run2.get("/ping").status()).isEqualTo(200);
      assertThat(Instant.parse(behind.path("clockBehindUntil").asText())).isEqualTo(lastOfRun1);
      assertThat(behind.path("lastError").path("message").asText())
          .contains("is behind the last usage sample");
      assertThat(
              run2.logLines(
                  l -> l.isWarning() && l.message().contains("behind the last usage sample")))
          .hasSize(1);
      // the clock passes the last sample (at most 30 s from run 1's stop), sampling goes on
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !usage(run2).has("clockBehindUntil")
                      && usage(run2).path("samplesWritten").asLong() >= 1);
      assertThat(run2.get("/metrics").body())
          .containsPattern("(?m)^vminfo_usage_clock_behind(\\{[^}]*\\})? 0\\.0$");
      // the hour file that was "from the future" is sealed and uploaded once its hour is over
      await().atMost(WAIT).until(() -> usage(run2).path("upload").path("succeeded").asLong() >= 1);
      assertThat(run2.logLines(AgentLogLine::isError)).isEmpty();
      assertThat(run2.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }

    agent
        .set("testing.usage_clock_origin", shifted(origin, Duration.ofDays(2)).toString())
        .set("usage.max_catch_up", "2h");
    try (AgentProcess run3 = agent.start()) {
      await().atMost(WAIT).until(() -> usage(run3).path("intervalsSkipped").asLong() > 0);
      JsonNode ahead = usage(run3);
      System.out.println("ClockStepIT: clock stepped forward, /status usage: " + ahead);
      assertThat(ahead.has("clockBehindUntil")).isFalse();
      assertThat(ahead.path("lastError").path("message").asText()).contains("sampling interval(s)");
      assertThat(run3.get("/metrics").body())
          .containsPattern("(?m)^vminfo_usage_intervals_skipped_total(\\{[^}]*\\})? [1-9]");
      // the old open hour file and the caught-up hours are sealed and uploaded
      await().atMost(WAIT).until(() -> usage(run3).path("upload").path("succeeded").asLong() >= 2);
      assertThat(run3.logLines(AgentLogLine::isError)).isEmpty();
      assertThat(run3.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }

    // Every sample is in the archive (uploaded once, checkUploaded fails on a duplicate) or still
    // in the spool; the minutes missing are exactly those the agents logged as skipped.
    UsageChecks.Uploaded uploaded = UsageChecks.checkUploaded(archive);
    Set<String> all = new HashSet<>(uploaded.lines());
    all.addAll(UsageChecks.durableSpoolRecords(spool));
    TreeSet<Instant> samples = new TreeSet<>();
    Set<String> keys = new HashSet<>();
    for (String line : all) {
      JsonNode r = E2e.parse(line);
      String key =
          r.path("type").asText()
              + " "
              + r.path("uuid").asText()
              + " "
              + r.path("timestamp").asText();
      assertThat(keys.add(key)).as("%s twice across archive and spool", key).isTrue();
      if (r.path("type").asText().equals("summary")) {
        samples.add(Instant.parse(r.path("timestamp").asText()));
        assertThat(r.path("vm_count").asInt()).isEqualTo(2);
      }
    }
    TreeSet<Instant> skipped = new TreeSet<>();
    for (int n = 1; n <= agent.starts(); n++) {
      for (String l :
          java.nio.file.Files.readAllLines(agent.workDir().resolve("logs/agent-" + n + ".log"))) {
        Matcher m = SKIPPED.matcher(l);
        if (m.find()) {
          Instant from = Instant.parse(m.group(2));
          Instant to = Instant.parse(m.group(3));
          for (Instant t = from; !t.isAfter(to); t = t.plus(Duration.ofMinutes(1))) {
            skipped.add(t);
          }
          assertThat(Duration.between(from, to).toMinutes() + 1)
              .isEqualTo(Long.parseLong(m.group(1)));
        }
      }
    }
    assertThat(skipped).as("the step forward was logged as skipped minutes").isNotEmpty();
    List<Instant> missing = new java.util.ArrayList<>();
    for (Instant t = samples.first();
        !t.isAfter(samples.last());
        t = t.plus(Duration.ofMinutes(1))) {
      if (!samples.contains(t) && !skipped.contains(t)) {
        missing.add(t);
      }
    }
    System.out.printf(
        "ClockStepIT: %d samples from %s to %s, %d minutes skipped (logged)%n",
        samples.size(), samples.first(), samples.last(), skipped.size());
    assertThat(missing).as("minutes neither sampled nor reported skipped").isEmpty();
    assertThat(samples).doesNotContainAnyElementsOf(skipped);
    assertThat(samples.higher(lastOfRun1))
        .as("run 2 went on right after run 1's last sample")
        .isEqualTo(lastOfRun1.plus(Duration.ofMinutes(1)));
  }

  private static JsonNode usage(AgentProcess p) throws Exception {
    return p.getJson("/status").path("usage");
  }

  private static Instant newestSample(Set<String> lines) {
    Instant newest = Instant.EPOCH;
    for (String l : lines) {
      Instant t = Instant.parse(E2e.parse(l).path("timestamp").asText());
      newest = t.isAfter(newest) ? t : newest;
    }
    return newest;
  }
}
