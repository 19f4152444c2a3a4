package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.TestAgent;
import io.vminfo.cli.testing.Vms;
import io.vminfo.core.Vm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vminfo alarms, alarms suppress, alarms unsuppress against a real agent with alarms on. */
class AlarmsCommandTest {
  @TempDir Path dir;

  TestAgent agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  private Result run(String... args) {
    return cli().agent(agent.url()).run(args);
  }

  @Test
  void listsAnOpenAlarmAndSuppressesAndLifts() throws Exception {
    Vm web = Vms.web().with(o -> o.put("state", "running"));
    String socket = dir.resolve("agent.sock").toString();
    agent =
        TestAgent.startWith(
            dir,
            List.of(web),
            Map.of(
                "alarms.enabled", "true", "alarms.api_writes", "true", "actions.socket", socket));
    // unsigned over HTTP: refused, nothing suppressed
    Result anonymous = run("alarms", "suppress", "--rule", "flapping");
    assertThat(anonymous.exit()).isNotZero();
    assertThat(anonymous.err()).contains("401");
    Result empty = run("alarms");
    assertThat(empty.exit()).as(empty.toString()).isZero();
    assertThat(empty.out()).isEmpty();

    Result s =
        run(
            "alarms",
            "suppress",
            "--socket",
            socket,
            "--rule",
            "flapping",
            "--for",
            "2h",
            "--reason",
            "window");
    assertThat(s.exit()).as(s.toString()).isZero();
    assertThat(s.out())
        .startsWith("suppression ")
        .contains("vms=all rules=flapping")
        .contains("reason=window");
    String id = s.out().split(" ")[1];

    agent.apply(web.with(o -> o.put("state", "stopped")));
    await().atMost(Duration.ofSeconds(15)).until(() -> run("alarms").out().contains("alarm "));
    Result list = run("alarms");
    assertThat(list.out()).contains("unexpected-stop " + web.uuid()).contains("suppression " + id);

    Result lifted = run("alarms", "unsuppress", "--socket", socket, id);
    assertThat(lifted.exit()).as(lifted.toString()).isZero();
    assertThat(run("alarms").out()).doesNotContain("suppression ");
    Result again = run("alarms", "unsuppress", "--socket", socket, id);
    assertThat(again.exit()).as(again.toString()).isNotZero();
    Result bad = run("alarms", "suppress", "--socket", socket, "--rule", "nope");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("unknown alarm rule 'nope'");
  }
}
