package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 13 point 4, the spool's file system, on the packaged agent: its {@code spool_dir} on a
 * small real tmpfs (needs root and mount(8); skipped with a message otherwise). First the tmpfs
 * fills up (ENOSPC on append), then, once space is freed, it is remounted read-only (EROFS) and
 * then read-write again. Throughout the agent serves; the problem is in {@code /status}; when the
 * cause goes away the waiting samples are written in order by themselves, and what is uploaded in
 * the end has every sample from the first to the last exactly once, each with all its VMs.
 */
// Mostly waits on the simulated usage clock: runs beside the other classes.
@Execution(ExecutionMode.CONCURRENT)
class FullSpoolIT {
  private static final int VMS = 4;
  private static final Duration INTERVAL = Duration.ofMinutes(1);

  @TempDir Path dir;

  private Path mounted;

  @AfterEach
  void unmount() throws Exception {
    if (mounted != null) {
      HostCommand.run("umount", "-l", mounted.toString());
    }
  }

  private static JsonNode usage(AgentProcess agent) throws Exception {
    return agent.getJson("/status").path("usage");
  }

  @Test
  void aFullThenReadOnlySpoolLosesAndDuplicatesNothing() throws Exception {
    Path spool = Files.createDirectories(dir.resolve("spool-fs"));
    try {
      HostCommand.run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0750", "tmpfs", spool.toString());
      mounted = spool;
    } catch (Exception e) {
      System.out.println("SKIPPED FullSpoolIT: cannot mount a tmpfs here (" + e.getMessage() + ")");
      Assumptions.abort("tmpfs mount not permitted");
    }
    Path ballast = spool.resolve("ballast");
    Files.write(ballast, new byte[(1024 - 48) * 1024]);

    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    for (int i = 0; i < VMS; i++) {
      tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "vm" + i));
    }
    // A simulated minute every 0.5 s: the tmpfs fills within seconds, an hour passes in 30 s.
    AgentProcess.Builder agent =
        E2e.smartosAgent(dir, tree)
            .set("spool_dir", spool)
            .set("usage.interval", "60s")
            .set("usage.grace", "1m")
            .set("usage.max_catch_up", "168h")
            .set("testing.usage_clock_rate", 120)
            .set("testing.usage_clock_origin", Instant.now().toString())
            .set("shutdown_timeout", "5s");
    try (AgentProcess p = agent.start()) {
      // 1. Full: appends fail with ENOSPC; samples wait in memory; the agent serves.
      await().atMost(WAIT).until(() -> usage(p).path("samplesWaiting").asInt() > 0);
      JsonNode full = usage(p);
      System.out.println("FullSpoolIT while full: " + full);
      assertThat(full.toString()).contains("No space left on device");
      assertThat(p.getJson("/vms").size()).isEqualTo(VMS);
      Files.delete(ballast);
      await().atMost(WAIT).until(() -> usage(p).path("samplesWaiting").asInt() == 0);

      assertThat(p.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }

    // 2. Read-only (a remount after I/O errors, an operator's mistake): the agent starts and
    //    serves; usage is unavailable, with the error, until the file system is writable again.
    HostCommand.run("mount", "-o", "remount,ro", spool.toString());
    boolean readOnly = true;
    try (AgentProcess p = agent.launch()) {
      p.awaitReady(WAIT);
      assertThat(p.getJson("/vms").size()).isEqualTo(VMS);
      JsonNode down = usage(p);
      System.out.println("FullSpoolIT read-only: " + down);
      assertThat(down.path("state").asText()).isEqualTo("unavailable");
      assertThat(down.path("lastError").path("message").asText()).contains("Read-only file system");
      assertThat(
              p.logLines(l -> l.isError() && l.message().contains("usage recording unavailable")))
          .hasSize(1);
      HostCommand.run("mount", "-o", "remount,rw", spool.toString());
      readOnly = false;
      await().atMost(WAIT).until(() -> usage(p).path("state").asText().equals("running"));
      assertThat(p.logLines(l -> l.message().contains("usage recording works again"))).hasSize(1);

      // 3. Everything recorded reaches the store: every sample once, each with all its VMs,
      //    the minutes of both outages filled in.
      await().atMost(WAIT).until(() -> usage(p).path("samplesWritten").asInt() > 0);
      Instant lastWritten = Instant.parse(usage(p).path("lastSample").asText());
      Path archive = agent.stateDir().resolve("archive");
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                UsageChecks.Uploaded u = UsageChecks.checkUploaded(archive);
                return !u.vmCountBySample().isEmpty()
                    && !u.vmCountBySample().lastKey().isBefore(lastWritten);
              });
      assertThat(p.stop(Duration.ofSeconds(30))).isEqualTo(143);
    } finally {
      if (readOnly) {
        HostCommand.run("mount", "-o", "remount,rw", spool.toString());
      }
    }
    UsageChecks.Uploaded uploaded = UsageChecks.checkUploaded(agent.stateDir().resolve("archive"));
    UsageChecks.assertContiguous(uploaded, INTERVAL);
    assertThat(uploaded.vmCountBySample().values()).containsOnly((long) VMS);
    System.out.println(
        "FullSpoolIT: "
            + uploaded.vmCountBySample().size()
            + " samples from "
            + uploaded.vmCountBySample().firstKey()
            + " to "
            + uploaded.vmCountBySample().lastKey()
            + " in "
            + uploaded.objects().size()
            + " objects");
  }
}
