package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 point 2, on the packaged agent: a second vminfod on the state directory of a running one
 * exits at once (status 1) naming the holder's pid, and the first keeps serving; once the first is
 * SIGKILLed (the kernel drops its lock, no stale lock file to clean up), a new one starts.
 */
class TwoAgentsOneStateDirIT {
  @TempDir Path dir;

  @Test
  void theSecondAgentExitsNamingTheFirstsPid() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "vm0"));
    AgentProcess.Builder agent = E2e.smartosAgent(dir, tree).set("shutdown_timeout", "5s");
    try (AgentProcess first = agent.start()) {
      try (AgentProcess second = agent.launch()) {
        await().atMost(WAIT).until(() -> !second.isAlive());
        assertThat(second.exitCode()).hasValue(1);
        assertThat(second.logLines(l -> l.message().contains("in use by another vminfod")))
            .singleElement()
            .satisfies(
                l ->
                    assertThat(l.message())
                        .contains("state directory " + agent.stateDir())
                        .contains("pid " + first.pid()));
      }
      assertThat(first.isAlive()).isTrue();
      assertThat(first.getJson("/vms").size()).isEqualTo(1);
      first.kill();
    }
    try (AgentProcess next = agent.start()) {
      assertThat(next.getJson("/vms").size()).isEqualTo(1);
      assertThat(next.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }
  }
}
