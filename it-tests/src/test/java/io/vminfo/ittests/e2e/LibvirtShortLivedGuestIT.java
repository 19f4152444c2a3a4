package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.LibvirtHost;
import io.vminfo.ittests.libvirt.LibvirtTesting;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The packaged agent on a real libvirtd: a guest started and destroyed ({@code virsh destroy})
 * inside one sampling interval, never sampled running, still has {@code cpu_usage}, {@code
 * network_usage} and {@code block_io} in the record of that interval: the counters read at its
 * start, since nothing of it is left to read at its stop.
 */
// Mostly waits on real 20 s usage intervals: it runs beside the other classes, and its two tests
// beside each other (a shared lock: each watches only its own guest), never beside another libvirt
// class.
@Execution(ExecutionMode.CONCURRENT)
class LibvirtShortLivedGuestIT {
  static final Duration INTERVAL = Duration.ofSeconds(20);
  static LibvirtHost host;

  @TempDir Path dir;

  @BeforeAll
  static void startLibvirt() {
    host = LibvirtTesting.startOrSkip();
  }

  @AfterAll
  static void stopLibvirt() {
    if (host != null) {
      host.close();
    }
  }

  /**
   * A guest sampled running, then destroyed late in the next interval: that interval's record
   * carries counters read after the sample (the agent reads libvirt guests every 10 s between
   * samples), so its last partial interval is not lost back to the sample.
   */
  @Test
  @ResourceLock(value = LibvirtTesting.DAEMON, mode = ResourceAccessMode.READ)
  void aHardDestroyMidIntervalKeepsUsageReadAfterTheLastSample() throws Exception {
    String name = "vminfo-e2e-mid-" + UUID.randomUUID().toString().substring(0, 8);
    try (AgentProcess agent =
        AgentProcess.builder(dir.resolve("agent"))
            .set("backend", "libvirt")
            .set("host_root", "/")
            .set("usage.interval", INTERVAL.toSeconds() + "s")
            .start()) {
      String uuid = host.defineGuest(name);
      host.startGuest(name);
      JsonNode sampled =
          await()
              .atMost(WAIT.plus(INTERVAL.multipliedBy(2)))
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () -> LibvirtAgentIT.usageOf(agent, uuid),
                  o ->
                      o.isPresent()
                          && o.get().path("status").asText().equals("running")
                          && o.get().has("cpu_usage"))
              .orElseThrow();
      Instant t1 = Instant.parse(sampled.path("timestamp").asText());
      Instant t2 = t1.plus(INTERVAL);
      // Past one 10 s read after the sample, still before the next boundary.
      await()
          .atMost(INTERVAL)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> Instant.now().isAfter(t1.plusSeconds(12)));
      host.destroy(name);
      LibvirtAgentIT.awaitVm(agent, uuid, vm -> LibvirtAgentIT.state(vm).equals("stopped"));
      assertThat(Instant.now()).as("destroyed inside the interval ending %s", t2).isBefore(t2);
      JsonNode r =
          await()
              .atMost(INTERVAL.multipliedBy(3))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () -> LibvirtAgentIT.usageOf(agent, uuid),
                  o ->
                      o.isPresent()
                          && !Instant.parse(o.get().path("timestamp").asText()).isBefore(t2))
              .orElseThrow();
      double before = sampled.path("cpu_usage").path("cpu_seconds").asDouble();
      double after = r.path("cpu_usage").path("cpu_seconds").asDouble();
      System.out.printf(
          "LibvirtShortLivedGuestIT: cpu_seconds %.6f at the sample %s, %.6f in the"
              + " record of the destroy %s%n",
          before, t1, after, r.path("timestamp").asText());
      assertThat(r.path("status").asText()).isEqualTo("stopped");
      assertThat(r.path("cpu_usage").path("counter_start").asText())
          .isEqualTo(sampled.path("cpu_usage").path("counter_start").asText());
      assertThat(after).as("usage after the last sample is kept").isGreaterThan(before);
    } finally {
      try {
        if (host.virsh("domstate", name).trim().equals("running")) {
          host.destroy(name);
        }
        host.undefine(name);
      } catch (java.io.IOException e) {
        System.out.println("LibvirtShortLivedGuestIT: cleanup: " + e.getMessage());
      }
    }
  }

  @Test
  @ResourceLock(value = LibvirtTesting.DAEMON, mode = ResourceAccessMode.READ)
  void aGuestDestroyedBetweenTwoSamplesKeepsItsCounters() throws Exception {
    String name = "vminfo-e2e-short-" + UUID.randomUUID().toString().substring(0, 8);
    Path image = dir.resolve(name + ".raw");
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(8L << 20);
    }
    try (AgentProcess agent =
        AgentProcess.builder(dir.resolve("agent"))
            .set("backend", "libvirt")
            .set("host_root", "/")
            .set("usage.interval", INTERVAL.toSeconds() + "s")
            .start()) {
      String uuid = host.defineGuestWithDisk(name, image);
      LibvirtAgentIT.awaitVm(agent, uuid, vm -> LibvirtAgentIT.state(vm).equals("stopped"));
      // Just after a boundary: the stopped guest's record of a new sample appears.
      JsonNode first =
          await()
              .atMost(WAIT.plus(INTERVAL))
              .pollInterval(Duration.ofMillis(50))
              .until(() -> LibvirtAgentIT.usageOf(agent, uuid), Optional::isPresent)
              .orElseThrow();
      Instant t0 = Instant.parse(first.path("timestamp").asText());
      Instant t1 =
          await()
              .atMost(INTERVAL.multipliedBy(3))
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () ->
                      LibvirtAgentIT.usageOf(agent, uuid)
                          .map(r -> Instant.parse(r.path("timestamp").asText()))
                          .orElse(t0),
                  t -> t.isAfter(t0));

      long started = System.nanoTime();
      host.startGuest(name);
      JsonNode running =
          LibvirtAgentIT.awaitVm(
              agent,
              uuid,
              vm ->
                  LibvirtAgentIT.state(vm).equals("running")
                      && vm.path("nics").path(0).has("interface"));
      String mac = running.path("nics").path(0).path("mac").asText();
      // The agent reads a started guest's counters on its probe thread, again once the taps
      // appear; a second of running lets that read happen on a busy machine too (it-tests run
      // classes beside each other), still far inside the interval.
      Instant seenRunning = Instant.now();
      await()
          .atMost(INTERVAL)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> Instant.now().isAfter(seenRunning.plusSeconds(2)));
      host.destroy(name);
      LibvirtAgentIT.awaitVm(agent, uuid, vm -> LibvirtAgentIT.state(vm).equals("stopped"));
      long livedMs = (System.nanoTime() - started) / 1_000_000;
      Instant t2 = t1.plus(INTERVAL);
      assertThat(Instant.now())
          .as("started and destroyed inside the interval ending %s", t2)
          .isBefore(t2);

      JsonNode r =
          await()
              .atMost(INTERVAL.multipliedBy(3))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () -> LibvirtAgentIT.usageOf(agent, uuid),
                  o ->
                      o.isPresent()
                          && !Instant.parse(o.get().path("timestamp").asText()).isBefore(t2))
              .orElseThrow();
      System.out.printf("LibvirtShortLivedGuestIT: lived %d ms, record %s%n", livedMs, r);
      assertThat(r.path("timestamp").asText()).isEqualTo(t2.toString().replace("Z", ".000Z"));
      assertThat(r.path("status").asText()).isEqualTo("stopped");
      assertThat(r.path("cpu_usage").path("cpu_seconds").asDouble()).isPositive();
      assertThat(r.path("network_usage").has(mac)).isTrue();
      assertThat(r.path("block_io").path("vda").path("path").asText())
          .isEqualTo(image.toAbsolutePath().toString());

      // Never sampled running: those counters can only be the ones read at its start.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(LibvirtAgentIT.spoolLinesFor(dir.resolve("agent/state/spool"), uuid))
                      .anyMatch(
                          l -> l.path("timestamp").asText().equals(r.path("timestamp").asText())));
      List<JsonNode> lines = LibvirtAgentIT.spoolLinesFor(dir.resolve("agent/state/spool"), uuid);
      assertThat(lines).noneMatch(l -> l.path("status").asText().equals("running"));
      assertThat(lines).filteredOn(l -> l.has("cpu_usage")).hasSize(1);
    } finally {
      try {
        if (host.virsh("domstate", name).trim().equals("running")) {
          host.destroy(name);
        }
        host.undefine(name);
      } catch (java.io.IOException e) {
        System.out.println(
            "LibvirtShortLivedGuestIT: cleanup: " + e.getMessage()); // not the failure
      }
    }
  }
}
