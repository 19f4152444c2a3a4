package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's command line, up to (not including) starting the agent. */
class AgentMainTest {
  @TempDir Path dir;

  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void helpListsEveryKeyWithItsEnvName() {
    assertThat(run("--help")).isZero();
    String help = out.toString(StandardCharsets.UTF_8);
    for (String key : AgentConfig.keys()) {
      assertThat(help).contains(key);
    }
    assertThat(help).contains("VMINFO_FEED_HISTORY_EVENTS").contains("*log_level");
  }

  @Test
  void configErrorsExitWith2AndAClearMessage() throws Exception {
    Path file = dir.resolve("agent.json");
    Files.writeString(file, "{\"listen\":{\"prot\":1}}");
    assertThat(run("--config", file.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("vminfod: config error: " + file + ": unknown key \"listen.prot\"");
  }

  @Test
  void printConfigShowsValuesAndSources() throws Exception {
    Path file = dir.resolve("agent.json");
    Files.writeString(file, "{\"listen\":{\"port\":9999}}");
    assertThat(run("--config", file.toString(), "--print-config", "--log-level=debug")).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("# config file: " + file)
        .contains("listen.port = 9999  (file " + file + ")")
        .contains("log_level = debug  (flag --log-level)")
        .contains("state_dir = /var/opt/vminfo  (default)");
    out.reset();
    assertThat(run("--config", file.toString(), "--check-config")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("listen.port");
  }

  private int run(String... args) {
    return AgentMain.run(
        List.of(args),
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
