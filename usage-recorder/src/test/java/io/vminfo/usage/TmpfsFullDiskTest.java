package io.vminfo.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.usage.testing.Records;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full-disk case on a real file system: the spool on a 64 KiB tmpfs. Needs root and mount(8);
 * skipped with a message otherwise ({@link FaultsTest} covers the same with an injected disk).
 */
class TmpfsFullDiskTest {
  @TempDir Path tmp;
  private Path mountPoint;

  private boolean mount(Path dir) throws Exception {
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString())
            .redirectErrorStream(true)
            .start();
    boolean done = p.waitFor(20, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes());
    if (!done || p.exitValue() != 0) {
      p.destroyForcibly();
      System.out.println(
          "SKIPPED TmpfsFullDiskTest: cannot mount a tmpfs here (" + out.strip() + ")");
      return false;
    }
    mountPoint = dir;
    return true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mountPoint != null) {
      new ProcessBuilder("umount", mountPoint.toString())
          .inheritIO()
          .start()
          .waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRealFullDiskIsReportedAndNothingWrittenBeforeIsDamaged() throws Exception {
    Path dir = tmp.resolve("small");
    Files.createDirectories(dir);
    boolean mounted;
    try {
      mounted = mount(dir);
    } catch (java.io.IOException e) {
      System.out.println("SKIPPED TmpfsFullDiskTest: no mount command (" + e.getMessage() + ")");
      mounted = false;
    }
    Assumptions.assumeTrue(mounted, "tmpfs mount not permitted");
    Path ballast = dir.resolve("ballast");
    Files.write(ballast, new byte[40 * 1024]);

    ServiceHarness h = new ServiceHarness(dir, "2026-11-22T10:00:30Z", 10);
    h.start();
    try {
      fillAndFree(h, dir, ballast);
    } finally {
      h.stop(); // closes the spool's files, so the tmpfs can be unmounted
    }
  }

  private void fillAndFree(ServiceHarness h, Path dir, Path ballast) throws Exception {
    Path log =
        dir.resolve("spool/2026/11/22/10/" + io.vminfo.usage.testing.TestVms.SERVER + ".log");
    int minutes = 0;
    while (h.status().samplesWaiting() == 0 && minutes < 30) {
      h.advance(Duration.ofMinutes(1));
      minutes++;
    }
    UsageStatus full = h.status();
    assertThat(full.samplesWaiting()).as("the disk filled up").isPositive();
    assertThat(full.lastError())
        .hasValueSatisfying(
            p -> {
              assertThat(p.component()).isEqualTo("write");
              assertThat(p.message()).contains("No space left on device");
            });
    List<String> lines = Records.lines(log); // whole lines only
    for (String l : lines) {
      Records.check(l);
    }
    assertThat(lines.get(lines.size() - 1)).contains("\"type\":\"summary\"");
    h.advance(Duration.ofMinutes(2));

    Files.delete(ballast); // space comes back
    h.advance(Duration.ofMinutes(1));
    assertThat(h.status().samplesWaiting()).isZero();
    List<JsonNode> local = h.local();
    List<java.time.Instant> times = UsageServiceTest.sampleTimes(local);
    assertThat(times)
        .isEqualTo(
            UsageServiceTest.minutes(
                "2026-11-22T10:01:00Z", times.get(times.size() - 1).toString()));
    assertThat(times).hasSize(minutes + 3);
    assertThat(new HashSet<>(Records.keys(local))).hasSize(times.size() * 10);
  }
}
