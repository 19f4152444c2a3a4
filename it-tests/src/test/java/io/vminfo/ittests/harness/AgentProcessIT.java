package io.vminfo.ittests.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.ittests.AgentLogLine;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent process launcher against the packaged agent: start, logs, signals, failures. */
class AgentProcessIT {
  @TempDir Path dir;

  @Test
  void startsServesLogsAndStopsOnSignals() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    String uuid = tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "one")).uuid();
    AgentProcess.Builder b =
        AgentProcess.builder(dir.resolve("agent"))
            .set("host_root", tree.root())
            .set("backend", "smartos");
    long t0 = System.nanoTime();
    try (AgentProcess p = b.start()) {
      System.out.printf(
          "AgentProcessIT: ready in %d ms (pid %d, %s)%n",
          (System.nanoTime() - t0) / 1_000_000, p.pid(), p.uri());
      assertThat(p.getJson("/vms/" + uuid).path("alias").asText()).isEqualTo("one");
      assertThat(p.logLines())
          .isNotEmpty()
          .allMatch(l -> l.stream() == AgentLogLine.Stream.STDERR || l.json().isPresent());
      assertThat(Files.readString(p.logFile())).contains("ready on");
      assertThat(Files.readString(b.configFile())).contains("\"host_root\"");
      assertThat(p.rssBytes()).isPositive();
      p.freeze();
      assertThatThrownBy(() -> p.get("/ping", Duration.ofMillis(500)))
          .isInstanceOf(java.net.http.HttpTimeoutException.class);
      p.thaw();
      assertThat(p.getJson("/ping").path("ping").asText()).isEqualTo("pong");
      assertThat(p.stop(Duration.ofSeconds(30))).isEqualTo(143);
      assertThat(p.logLines(l -> l.message().startsWith("stopped in"))).hasSize(1);
    }
    try (AgentProcess p = b.start()) {
      assertThat(p.sequence()).isEqualTo(2);
      assertThat(p.kill()).isEqualTo(137);
      assertThat(p.isAlive()).isFalse();
    }
  }

  @Test
  void aConfigErrorFailsTheStartWithTheAgentsMessage() {
    AgentProcess.Builder b =
        AgentProcess.builder(dir.resolve("agent")).set("usage.interval", "soon");
    assertThatThrownBy(b::start)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited (2)")
        .hasMessageContaining("usage.interval");
  }
}
