package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 point 1 on the packaged agent: a FIFO named like a zone XML (listed in the index) used
 * to block the initial load's {@code open(2)} forever, so the agent never served. Now: the agent
 * starts and serves the other zones, {@code /status vmErrors} names the FIFO zone, a FIFO that
 * appears while it runs stalls nothing, replacing it with a real XML brings the zone back, and
 * SIGTERM stops the agent cleanly.
 */
class FifoZoneXmlIT {
  @TempDir Path dir;

  private static void mkfifo(Path p) throws Exception {
    Files.deleteIfExists(p);
    Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assumeThat(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0).as("mkfifo works").isTrue();
  }

  private static boolean errorNames(AgentProcess agent, String uuid) throws Exception {
    for (JsonNode e : agent.getJson("/status").path("vmErrors")) {
      if (e.toString().contains(uuid) && e.toString().contains("FIFO")) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode vm(AgentProcess agent, String uuid) throws Exception {
    return E2e.vms(agent).get(uuid);
  }

  @Test
  void aFifoZoneXmlIsAReportedErrorNotAHang() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    ZoneSpec good = tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "good"));
    ZoneSpec planted = tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "planted"));
    ZoneSpec later = tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "later"));
    String plantedXml = Files.readString(tree.xmlFile(planted.uuid()));
    mkfifo(tree.xmlFile(planted.uuid()));

    try (AgentProcess agent =
        E2e.smartosAgent(dir, tree)
            .set("shutdown_timeout", "5s")
            .startTimeout(Duration.ofSeconds(90))
            .start()) {
      assertThat(vm(agent, good.uuid())).isNotNull();
      assertThat(vm(agent, later.uuid())).isNotNull();
      await().atMost(WAIT).until(() -> errorNames(agent, planted.uuid()));

      // A FIFO appearing while the agent runs: reported, and other zones' changes still flow.
      mkfifo(tree.xmlFile(later.uuid()));
      tree.update(good.uuid(), s -> s.withAlias("still-moving"));
      await().atMost(WAIT).until(() -> errorNames(agent, later.uuid()));
      await()
          .atMost(WAIT)
          .until(() -> "still-moving".equals(vm(agent, good.uuid()).path("alias").asText()));

      // The cause goes away: a real XML again, and the zone is served.
      Files.delete(tree.xmlFile(planted.uuid()));
      Files.writeString(tree.xmlFile(planted.uuid()), plantedXml);
      await()
          .atMost(WAIT)
          .until(() -> vm(agent, planted.uuid()) != null && !errorNames(agent, planted.uuid()));
      assertThat(agent.isAlive()).isTrue();
      assertThat(agent.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }
  }
}
