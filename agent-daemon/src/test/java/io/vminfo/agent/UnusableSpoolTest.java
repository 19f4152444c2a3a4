package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.internal.DirectoryLock;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.internal.Json;
import io.vminfo.core.testing.FakeVmSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool the agent cannot use (here: its {@code spool_dir} lies under a regular file, so it can be
 * neither created nor locked, as on a read-only or missing file system) does not stop the agent: it
 * serves, {@code /status} says usage is unavailable and why, and once the directory can be made the
 * recorder starts by itself and writes samples.
 */
class UnusableSpoolTest {
  @TempDir Path dir;

  private AgentHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  private JsonNode usage() throws Exception {
    return Json.MAPPER.readTree(h.get("/status").body()).path("usage");
  }

  @Test
  void theAgentServesWhileItsSpoolIsUnusableAndRecordsOnceItWorks() throws Exception {
    Path blocker = dir.resolve("mnt");
    Files.writeString(blocker, "not a directory");
    Path spool = blocker.resolve("spool");
    h =
        AgentHarness.start(
            new FakeVmSource(TestVms.many(2), HostIdentity.unknown()),
            dir.resolve("state"),
            b -> b.set("spool_dir", spool.toString()).set("usage.interval", "1s"),
            null,
            a -> a.usageRetry(Duration.ofMillis(50)));

    assertThat(h.get("/vms").status()).isEqualTo(200);
    JsonNode down = usage();
    assertThat(down.path("state").asText()).isEqualTo("unavailable");
    assertThat(down.path("lastError").path("message").asText()).contains(blocker.toString());
    assertThat(down.path("spool").path("dir").asText()).isEqualTo(spool.toString());
    assertThat(down.has("since")).isTrue();
    assertThat(down.has("nextAttempt")).isTrue();
    assertThat(h.get("/usage").text()).isEqualTo("[]");

    Files.delete(blocker);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> usage().path("state").asText().equals("running"));
    assertThat(spool.resolve(DirectoryLock.FILE_NAME)).exists();
    await().atMost(Duration.ofSeconds(30)).until(() -> usage().path("samplesWritten").asLong() > 0);
  }
}
