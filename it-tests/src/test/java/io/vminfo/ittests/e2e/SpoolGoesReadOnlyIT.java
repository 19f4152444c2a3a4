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

/**
 * Issue 13 point 4, the spool turning read-only while the agent runs, as a real file system does
 * it: {@code spool_dir} is a small loop-mounted ext4 with {@code errors=remount-ro}, and the test
 * makes the kernel see a file-system error ({@code /sys/fs/ext4/<dev>/trigger_fs_error}), so ext4
 * aborts its journal and turns read-only under the agent's open files. The operator's repair is
 * what it would be on a host: unmount (possible because the agent closed its files there), {@code
 * e2fsck}, mount again. Throughout the agent serves and {@code /status} says what is wrong; after
 * the repair it goes on by itself, and what is uploaded has every sample from the first to the last
 * exactly once, each with all its VMs. Needs root, loop devices and mkfs.ext4 (skipped with a
 * message otherwise, as {@link FullSpoolIT}).
 */
class SpoolGoesReadOnlyIT {
  private static final int VMS = 3;
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

  /** The loop device under {@code mountPoint}, from /proc/self/mounts. */
  private static String deviceOf(Path mountPoint) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String[] f = line.split(" ");
      if (f.length > 1 && f[1].equals(mountPoint.toString())) {
        return f[0];
      }
    }
    throw new IllegalStateException(mountPoint + " is not mounted");
  }

  private void mount(Path image, Path at) throws Exception {
    HostCommand.run("mount", "-o", "loop,errors=remount-ro", image.toString(), at.toString());
    mounted = at;
  }

  @Test
  void aSpoolThatTurnsReadOnlyUnderTheAgentLosesAndDuplicatesNothingOnceRepaired()
      throws Exception {
    Path image = dir.resolve("spool.ext4");
    Path spool = Files.createDirectories(dir.resolve("spool-fs"));
    try {
      HostCommand.run("truncate", "-s", "32M", image.toString());
      HostCommand.run("mkfs.ext4", "-q", "-F", image.toString());
      mount(image, spool);
    } catch (Exception e) {
      System.out.println(
          "SKIPPED SpoolGoesReadOnlyIT: cannot loop-mount an ext4 here (" + e.getMessage() + ")");
      Assumptions.abort("loop mount not permitted");
    }
    String device = Path.of(deviceOf(spool)).getFileName().toString();
    Path trigger = Path.of("/sys/fs/ext4", device, "trigger_fs_error");
    Assumptions.assumeTrue(Files.exists(trigger), "this kernel has no " + trigger);
    HostCommand.run("chmod", "0750", spool.toString());

    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    for (int i = 0; i < VMS; i++) {
      tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "vm" + i));
    }
    // A simulated minute every 0.5 s: an hour passes in 30 s.
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
      await().atMost(WAIT).until(() -> usage(p).path("samplesWritten").asInt() >= 5);

      // 1. The kernel turns the file system read-only under the agent's open hour file.
      Files.writeString(trigger, "vminfo SpoolGoesReadOnlyIT");
      await().atMost(WAIT).until(() -> usage(p).toString().contains("Read-only file system"));
      await().atMost(WAIT).until(() -> usage(p).path("samplesWaiting").asInt() > 2);
      System.out.println("SpoolGoesReadOnlyIT while read-only: " + usage(p));
      assertThat(p.getJson("/vms").size()).isEqualTo(VMS);
      assertThat(p.get("/ping").status()).isEqualTo(200);

      // 2. The agent stops its recorder there and closes every file it holds on that file
      //    system, so the operator can repair it: a plain unmount (it would fail with EBUSY while
      //    a file is open), check, mount again at the same place.
      await().atMost(WAIT).until(() -> usage(p).path("state").asText().equals("unavailable"));
      System.out.println("SpoolGoesReadOnlyIT freed: " + usage(p));
      HostCommand.run("umount", spool.toString());
      mounted = null;
      String fsck =
          HostCommand.run("sh", "-c", "e2fsck -fy " + image + " >/dev/null 2>&1; echo $?");
      assertThat(Integer.parseInt(fsck.strip())).as("e2fsck exit (0 or 1: fixed)").isLessThan(2);
      mount(image, spool);

      // 3. The agent goes on by itself: the waiting samples are written, hours sealed, uploaded.
      // (the recorder was stopped to free the file system; its successor writes what it kept)
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  usage(p).path("state").asText().equals("running")
                      && usage(p).path("samplesWaiting").asInt() == 0
                      && usage(p).path("samplesWritten").asInt() > 0);
      System.out.println("SpoolGoesReadOnlyIT after the repair: " + usage(p));
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
      // every ERROR is about the read-only spool, nothing else broke
      assertThat(
              p.logLines(
                  l ->
                      l.isError()
                          && !l.message().toLowerCase(java.util.Locale.ROOT).contains("read-only")
                          && !l.message().contains("usage recording unavailable")))
          .isEmpty();
      assertThat(p.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }
    UsageChecks.Uploaded uploaded = UsageChecks.checkUploaded(agent.stateDir().resolve("archive"));
    UsageChecks.assertContiguous(uploaded, INTERVAL);
    assertThat(uploaded.vmCountBySample().values()).containsOnly((long) VMS);
    System.out.println(
        "SpoolGoesReadOnlyIT: "
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
