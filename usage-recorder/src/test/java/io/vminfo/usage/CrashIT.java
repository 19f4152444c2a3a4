package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.usage.testing.Records;
import io.vminfo.usage.testing.TestVms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash test: {@link CrashChild} runs the recorder and uploader at 600x speed (one
 * simulated minute every 100 ms) on a slow disk against a local directory store that fails one put
 * in ten, and is killed with SIGKILL at random moments, at least 50 times, restarting each time;
 * then a drain run uploads what is left. The store must then hold exactly the records that were
 * sampled: every interval from the first to the last, each VM once per interval, byte for byte as
 * the recorder writes them, no line torn, and every sample a child reported as fsynced among them.
 */
class CrashIT {
  private static final int KILLS = Integer.getInteger("crash.kills", 52);
  private static final long FACTOR = 600;
  private static final Instant ORIGIN = Instant.parse("2026-11-22T10:00:30Z");
  private static final DateTimeFormatter HOUR_DIR =
      DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);

  @TempDir Path tmp;

  @Test
  void killedAtRandomItLosesNothingDuplicatesNothingAndTearsNothing() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println("CrashIT seed " + seed + " (rerun with -Dcrash.seed=" + seed + ")");
    Random random = new Random(seed);
    Path spool = tmp.resolve("spool");
    Path store = tmp.resolve("store");
    Path committed = tmp.resolve("committed.txt");
    Path output = tmp.resolve("children.log");
    long originWall = System.currentTimeMillis();

    int killedEarly = 0;
    long startNanos = 0;
    int starts = 0;
    for (int i = 0; i < KILLS; i++) {
      long t0 = System.nanoTime();
      Process p = child("run", spool, store, committed, originWall, random.nextLong(), output, i);
      if (random.nextInt(100) < 15) {
        // Anywhere in JVM start-up or the spool's recovery.
        Thread.sleep(random.nextInt(500));
        killedEarly++;
      } else {
        Path started = tmp.resolve("out-" + i);
        Awaitility.await("child " + i + " started")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(5))
            .until(
                () ->
                    !p.isAlive()
                        || (Files.exists(started)
                            && Files.readString(started).contains("started")));
        assertThat(p.isAlive()).as("child %d is running (see %s)", i, output).isTrue();
        startNanos += System.nanoTime() - t0;
        starts++;
        Thread.sleep(random.nextInt(800));
      }
      assertThat(p.isAlive()).as("child %d died on its own (see %s)", i, output).isTrue();
      p.destroyForcibly(); // SIGKILL
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    Process drain =
        child("drain", spool, store, committed, originWall, random.nextLong(), output, KILLS);
    assertThat(drain.waitFor(120, TimeUnit.SECONDS)).as("drain finished").isTrue();
    assertThat(drain.exitValue()).as("drain exit (see %s)", output).isZero();

    verify(store, spool, committed);
    String log = Files.readString(output);
    System.out.printf(
        "CrashIT: %d kills (%d during start-up); child logs: %d torn-sample repairs,"
            + " %d temp files removed, %d torn ledger lines, %d injected 503s%n",
        KILLS,
        killedEarly,
        count(log, "cut "),
        count(log, "removed temp file"),
        count(log, "torn last line"),
        count(log, "injected 503"));
    System.out.printf(
        "CrashIT: a child takes %d ms on average from launch to recovered%n",
        starts == 0 ? 0 : startNanos / starts / 1_000_000);
  }

  private void verify(Path store, Path spool, Path committedLog) throws IOException {
    List<Path> objects = Records.usageFiles(store);
    assertThat(objects).isNotEmpty();
    Map<Instant, List<String>> usageByTime = new TreeMap<>();
    Map<Instant, Integer> summaries = new HashMap<>();
    int segments = 0;
    for (Path obj : objects) {
      String rel = store.relativize(obj).toString();
      assertThat(rel)
          .matches(
              "acct/stor/usage/\\d{4}/\\d{2}/\\d{2}/\\d{2}/"
                  + TestVms.SERVER
                  + "(\\.\\d+)?\\.log\\.gz");
      if (rel.matches(".*\\.\\d+\\.log\\.gz")) {
        segments++;
      }
      String hourDir =
          rel.substring("acct/stor/usage/".length(), "acct/stor/usage/yyyy/MM/dd/HH".length());
      for (String line : Records.lines(obj)) { // whole lines, else it fails
        JsonNode n = Records.check(line);
        Instant t = Instant.parse(n.path("timestamp").asText());
        assertThat(HOUR_DIR.format(t)).as("object of the record's hour").isEqualTo(hourDir);
        if (n.path("type").asText().equals("summary")) {
          assertThat(summaries.put(t, n.path("vm_count").asInt()))
              .as("one summary for %s", t)
              .isNull();
        } else {
          usageByTime.computeIfAbsent(t, k -> new ArrayList<>()).add(line);
        }
      }
    }
    TreeSet<Instant> times = new TreeSet<>(summaries.keySet());
    assertThat(usageByTime.keySet()).isEqualTo(times);
    Instant first = times.first();
    Instant last = times.last();
    long expected = Duration.between(first, last).toMinutes() + 1;
    assertThat(times).as("every minute from %s to %s, once", first, last).hasSize((int) expected);
    for (Instant t : times) {
      assertThat(summaries.get(t)).isEqualTo(CrashChild.VMS);
      List<String> want = new ArrayList<>();
      for (var vm : CrashChild.vms()) {
        want.add(
            UsageRecord.of(
                    t, TestVms.SERVER, Optional.of(CrashChild.DATACENTER), vm, TestVms.usageOf(vm))
                .toJson());
      }
      assertThat(usageByTime.get(t)).as("records of %s", t).containsExactlyElementsOf(want);
    }
    // Every sample a child saw fsynced made it (the last line of the log may be torn by a kill).
    String log = Files.readString(committedLog, StandardCharsets.US_ASCII);
    List<Instant> committed = new ArrayList<>();
    for (String l : log.split("\n")) {
      if (l.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z")) {
        committed.add(Instant.parse(l));
      }
    }
    assertThat(committed).isNotEmpty();
    assertThat(times).containsAll(committed);
    // (A kill between a sample's fsync and its line in the log leaves uploaded samples after the
    // last logged one: sampled, just not reported.)
    // The spool holds nothing un-uploaded and nothing was set aside.
    try (Stream<Path> files = Files.walk(spool)) {
      assertThat(
              files
                  .filter(Files::isRegularFile)
                  .map(p -> spool.relativize(p).toString())
                  .filter(p -> p.endsWith(".log")))
          .isEmpty();
    }
    Path corrupt = spool.resolve("corrupt");
    try (Stream<Path> files = Files.list(corrupt)) {
      assertThat(files).isEmpty();
    }
    System.out.printf(
        "CrashIT: %d samples (%s to %s), %d records in %d objects (%d later segments)%n",
        times.size(),
        first,
        last,
        usageByTime.values().stream().mapToInt(List::size).sum() + times.size(),
        objects.size(),
        segments);
  }

  private Process child(
      String mode,
      Path spool,
      Path store,
      Path committed,
      long originWall,
      long seed,
      Path output,
      int run)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        List.of(
            java,
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-XX:+UseSerialGC",
            "-Xmx128m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            "-cp",
            System.getProperty("java.class.path"),
            CrashChild.class.getName(),
            mode,
            spool.toString(),
            store.toString(),
            committed.toString(),
            Long.toString(ORIGIN.toEpochMilli()),
            Long.toString(originWall),
            Long.toString(FACTOR),
            Long.toString(seed));
    Files.writeString(
        output,
        "=== run " + run + " (" + mode + ")\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return new ProcessBuilder(cmd)
        .redirectOutput(tmp.resolve("out-" + run).toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(output.toFile()))
        .start();
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
