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
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 point 4, the host-tree hazards, on the packaged agent: an index row with no XML, a zone
 * XML renamed over another zone's, {@code etc/zones} deleted and made again, and {@code etc/zones}
 * replaced by a symlink. For each the agent keeps serving, shows the problem where one exists, and
 * comes back to the truth by itself once the cause is gone.
 */
class HostTreeHazardsIT {
  @TempDir Path dir;

  private static boolean hasError(AgentProcess agent, String uuid, String text) throws Exception {
    for (JsonNode e : agent.getJson("/status").path("vmErrors")) {
      if (e.toString().contains(uuid) && e.toString().contains(text)) {
        return true;
      }
    }
    return false;
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void deleteTree(Path p) throws Exception {
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  @Test
  void theAgentServesThroughEachHazardAndComesBackToTheTruth() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    ZoneSpec a = tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "a"));
    ZoneSpec b = tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "b"));
    tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "c"));
    try (AgentProcess agent = E2e.smartosAgent(dir, tree).set("shutdown_timeout", "5s").start()) {
      E2e.awaitTruth(agent, tree);

      // 1. An index row whose XML does not exist (a half-done vmadm create, a hand edit).
      String orphan = UUID.randomUUID().toString();
      String index = Files.readString(tree.indexFile());
      Files.writeString(
          tree.indexFile(), index + orphan + ":installed:/zones/" + orphan + ":" + orphan + "\n");
      await().atMost(WAIT).until(() -> hasError(agent, orphan, "zone XML missing"));
      assertThat(E2e.vms(agent)).doesNotContainKey(orphan);
      E2e.awaitTruth(agent, tree);
      Files.writeString(tree.indexFile(), index); // the row goes: so does the error
      await().atMost(WAIT).until(() -> !hasError(agent, orphan, ""));

      // 2. a.xml renamed over b.xml: the file named b now describes zone a.
      Path bXml = tree.xmlFile(b.uuid());
      String bContent = Files.readString(bXml);
      Files.move(
          tree.xmlFile(a.uuid()),
          bXml,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      // Zone a's XML is gone, so a goes; b keeps its last good state and says why.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !E2e.vms(agent).containsKey(a.uuid())
                      && hasError(agent, b.uuid(), "does not match the file name"));
      assertThat(E2e.vms(agent)).containsKey(b.uuid());
      // put both back as they were
      Files.writeString(tree.xmlFile(a.uuid()), tree.zoneXml(a));
      Files.writeString(bXml, bContent);
      E2e.awaitTruth(agent, tree);
      await().atMost(WAIT).until(() -> agent.getJson("/status").path("vmErrors").isEmpty());

      // 3. etc/zones deleted (everything gone) and made again.
      Path zones = tree.zonesDir();
      Path saved = dir.resolve("saved-zones");
      copyTree(zones, saved);
      deleteTree(zones);
      await().atMost(WAIT).until(() -> E2e.vms(agent).isEmpty());
      copyTree(saved, zones);
      E2e.awaitTruth(agent, tree);

      // 4. etc/zones replaced by a symlink to a copy inside the host root.
      Path real = tree.root().resolve("var/zones-real");
      copyTree(zones, real);
      Path link = zones.resolveSibling("zones.link");
      Files.createSymbolicLink(link, Path.of("../var/zones-real"));
      deleteTree(zones);
      Files.move(link, zones, StandardCopyOption.ATOMIC_MOVE);
      E2e.awaitTruth(agent, tree);
      tree.update(a.uuid(), s -> s.withAlias("through-the-link"));
      E2e.awaitTruth(agent, tree);

      assertThat(agent.isAlive()).isTrue();
      assertThat(agent.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }
  }
}
