package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 point 1, "the agent always starts serving": a host whose first full load hangs (here a
 * {@code zoneadm} that does not answer, as when the zones framework is wedged) used to keep the
 * packaged agent from opening its port for the whole initial load timeout (5 minutes), then it
 * exited. Now it serves after {@code initial_load_wait}, {@code /status initialLoad} says the load
 * is not complete, usage sampling waits for it, and when the host answers again every zone arrives,
 * with no restart.
 */
class SlowInitialLoadIT {
  @TempDir Path dir;

  @Test
  void aHangingInitialLoadDoesNotKeepTheAgentFromServing() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.builder(dir.resolve("host")).zoneadm(true).build();
    List<ZoneSpec> zones =
        List.of(
            tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "first")),
            tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "second")));
    Path hold = dir.resolve("zoneadm-hangs");
    Files.createFile(hold);
    Path zoneadm = tree.path("usr/sbin/zoneadm");
    Path real = zoneadm.resolveSibling("zoneadm.real");
    Files.move(zoneadm, real);
    Files.writeString(
        zoneadm,
        "#!/bin/sh\n"
            + "while [ -e '"
            + hold
            + "' ]; do sleep 0.1; done\n"
            + "exec '"
            + real
            + "' \"$@\"\n",
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(zoneadm, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (AgentProcess agent =
        E2e.smartosAgent(dir, tree)
            .set("initial_load_wait", "1s")
            .set("initial_load_retry", "1s")
            .startTimeout(Duration.ofSeconds(60))
            .start()) {
      JsonNode status = agent.getJson("/status");
      assertThat(status.path("initialLoad").path("state").asText())
          .as("served before the load finished")
          .isIn("loading", "failed");
      assertThat(E2e.vms(agent)).isEmpty();
      assertThat(status.path("usage").path("state").asText())
          .as("no sample of a host that is not loaded")
          .isEqualTo("starting");
      assertThat(agent.get("/metrics").body()).contains("vminfo_initial_load_complete 0.0");

      Files.delete(hold);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  "complete"
                      .equals(agent.getJson("/status").path("initialLoad").path("state").asText()));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  E2e.vms(agent).keySet().containsAll(zones.stream().map(ZoneSpec::uuid).toList()));
      assertThat(tree.differences(agent.getJson("/vms"))).isEmpty();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !"starting"
                      .equals(agent.getJson("/status").path("usage").path("state").asText()));
      assertThat(agent.isAlive()).isTrue();
    }
  }
}
