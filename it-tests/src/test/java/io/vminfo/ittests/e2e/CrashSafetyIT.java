package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.MantaAccount;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import io.vminfo.manta.emulator.MantaEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * E2E 5: the packaged agent records usage of a SmartOS tree and uploads it to the Manta emulator
 * (which now and then fails or drops a request) on accelerated time ({@code
 * testing.usage_clock_rate} 1440: a simulated hour every 2.5 s, a sample every 42 ms), and is
 * killed with SIGKILL 50 times at random moments: during start-up and recovery, sampling, sealing
 * and upload. After each kill the complete samples in its spool (what it made durable) are noted.
 * Finally one agent runs until everything sealed is uploaded. Then: every uploaded object is whole
 * lines of schema-valid records, no record is uploaded twice, every durable sample ever seen is in
 * Manta byte for byte, and the samples are contiguous minute by minute, each with its VMs.
 */
// Half its time is waiting for agents to start and run: it runs beside the other classes (its
// catch-up bound already allows for slow restarts on a busy machine).
@Execution(ExecutionMode.CONCURRENT)
class CrashSafetyIT {
  static final int KILLS = Integer.getInteger("crash.kills", 50);
  static final int RATE = 1440;
  static final Duration INTERVAL = Duration.ofMinutes(1);

  @TempDir Path dir;

  @Test
  void fiftyKillsLoseAndDuplicateNothing() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println(
        "CrashSafetyIT seed " + seed + " (replay the schedule with -Dcrash.seed=" + seed + ")");
    Random random = new Random(seed);
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    for (int i = 0; i < 6; i++) {
      tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "vm" + i));
    }
    MantaAccount account = MantaAccount.create(dir.resolve("keys"), "acct");
    Instant origin = Instant.now();
    try (MantaEmulator manta =
        account.register(MantaEmulator.builder().root(dir.resolve("manta"))).start()) {
      AgentProcess.Builder agent =
          account
              .configure(E2e.smartosAgent(dir, tree), manta.url())
              .set("usage.interval", "60s")
              .set("usage.grace", "2m")
              // A simulated hour is 2.5 s here: a restart on a busy machine can take longer than
              // the
              // default catch-up of one hour, which would skip (and count) the oldest minutes.
              .set("usage.max_catch_up", "168h")
              .set("testing.usage_clock_rate", RATE)
              .set("testing.usage_clock_origin", origin.toString())
              .set("shutdown_timeout", "5s");
      Path spool = agent.stateDir().resolve("spool");
      Set<String> durable = new HashSet<>();
      int killedStarting = 0;
      int killedWithSealedPending = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < KILLS; i++) {
        if (random.nextInt(4) == 0) {
          manta.faults().failNext(1 + random.nextInt(3));
        } else if (random.nextInt(4) == 0) {
          manta.faults().dropNext(1);
        }
        AgentProcess p = agent.launch();
        try {
          if (random.nextInt(6) == 0) {
            Thread.sleep(random.nextInt(700)); // start-up: recovery, tail repair, catch-up
            killedStarting++;
          } else {
            p.awaitReady(WAIT);
            Thread.sleep(100 + random.nextInt(900));
          }
        } finally {
          p.kill();
        }
        assertThat(p.logLines(l -> l.isError())).as("errors of agent #%d", p.sequence()).isEmpty();
        durable.addAll(UsageChecks.durableSpoolRecords(spool));
        killedWithSealedPending += UsageChecks.sealedFiles(spool) > 0 ? 1 : 0;
      }
      long killPhaseMs = (System.nanoTime() - t0) / 1_000_000;

      // the last run: everything sealed gets uploaded (a simulated hour and its grace pass in ~5 s)
      manta.faults().reset();
      Set<String> hours = UsageChecks.hoursOf(durable);
      try (AgentProcess last = agent.start()) {
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(
                () ->
                    assertThat(UsageChecks.checkUploaded(manta.root()).lines())
                        .containsAll(durable));
        System.out.println(
            "CrashSafetyIT: final /status usage: " + last.getJson("/status").path("usage"));
        assertThat(last.stop(Duration.ofSeconds(30))).isEqualTo(143);
      }

      UsageChecks.Uploaded uploaded = UsageChecks.checkUploaded(manta.root());
      assertThat(uploaded.lines()).containsAll(durable);
      UsageChecks.assertContiguous(uploaded, INTERVAL);
      assertThat(uploaded.vmCountBySample().values()).containsOnly(6L);
      int repaired = 0;
      int retried = 0;
      for (int n = 1; n <= agent.starts(); n++) {
        for (String l :
            java.nio.file.Files.readAllLines(agent.workDir().resolve("logs/agent-" + n + ".log"))) {
          repaired += l.contains("after the last complete sample") ? 1 : 0;
          retried += l.contains("failed, will retry") ? 1 : 0;
        }
      }
      System.out.printf(
          "CrashSafetyIT: %d SIGKILLs (%d during start-up, %d with sealed files"
              + " not yet uploaded) in %d ms; %d samples"
              + " over %d simulated hours (%s .. %s) in %d objects; %d durable records checked;"
              + " %d torn tails repaired, %d uploads retried%n",
          KILLS,
          killedStarting,
          killedWithSealedPending,
          killPhaseMs,
          uploaded.vmCountBySample().size(),
          hours.size(),
          uploaded.vmCountBySample().firstKey(),
          uploaded.vmCountBySample().lastKey(),
          uploaded.objects().size(),
          durable.size(),
          repaired,
          retried);
      assertThat(uploaded.objects().size()).as("hours sealed and uploaded").isGreaterThan(5);
    }
  }
}
