package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.cli.testing.Background;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.TestAgent;
import io.vminfo.cli.testing.Vms;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vminfo wait} against a real agent. */
class WaitTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void alreadyTrueReturnsAtOnce() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()))) {
      Result r = cli().agent(agent.url()).run("wait", Vms.WEB, "--state", "running");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo(Vms.WEB + ": state=running\n");
      assertThat(r.err()).isEmpty();
    }
  }

  @Test
  void blocksUntilTheStateChanges() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.db()));
        Background wait =
            Background.run(
                cli().agent(agent.url()),
                "wait",
                "db-primary",
                "--state",
                "running",
                "--timeout",
                "30s")) {
      agent.awaitSubscribers(1);
      assertThat(wait.isDone()).isFalse();
      agent.apply(Vms.db().with(o -> o.put("state", "provisioning")));
      agent.apply(Vms.db().with(o -> o.put("state", "running")));
      Result r = wait.await(WAIT);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo(Vms.DB + ": state=running\n");
    }
  }

  @Test
  void waitsForValuesAtPathsAllAtOnce() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()));
        Background wait =
            Background.run(
                cli().agent(agent.url()),
                "wait",
                Vms.WEB,
                "--change",
                "quota=20",
                "--change",
                "nics.*.ip=10.0.0.99",
                "--change",
                "tags.role=\"api\"")) {
      agent.awaitSubscribers(1);
      agent.apply(Vms.web().with(o -> o.put("quota", 20)));
      agent.apply(
          Vms.web()
              .with(
                  o -> {
                    o.put("quota", 20);
                    o.withArray("nics")
                        .addObject()
                        .put("mac", "90:b8:d0:00:00:09")
                        .put("ip", "10.0.0.99");
                  }));
      assertThat(wait.isDone()).isFalse();
      agent.apply(
          Vms.web()
              .with(
                  o -> {
                    o.put("quota", 20);
                    o.withArray("nics")
                        .addObject()
                        .put("mac", "90:b8:d0:00:00:09")
                        .put("ip", "10.0.0.99");
                    o.withObject("tags").put("role", "api");
                  }));
      Result r = wait.await(WAIT);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo(Vms.WEB + ": quota=20, nics.*.ip=10.0.0.99, tags.role=api\n");
    }
  }

  @Test
  void waitsForAVmToAppearAndToGo() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()));
        Background created =
            Background.run(cli().agent(agent.url()), "wait", Vms.KVM, "--state", "running");
        Background deleted =
            Background.run(cli().agent(agent.url()), "wait", Vms.WEB, "--deleted")) {
      agent.awaitSubscribers(2);
      agent.apply(Vms.kvm());
      assertThat(created.await(WAIT).exit()).isZero();
      agent.delete(Vms.WEB);
      Result r = deleted.await(WAIT);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).isEqualTo(Vms.WEB + ": deleted\n");
    }
  }

  @Test
  void timesOutWithWhatTheVmLooksLike() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.db()))) {
      Result r =
          cli()
              .agent(agent.url())
              .run(
                  "wait",
                  Vms.DB,
                  "--state",
                  "running",
                  "--change",
                  "quota=30",
                  "--timeout",
                  "300ms");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err())
          .isEqualTo(
              "vminfo: timed out after 300ms waiting for "
                  + Vms.DB
                  + ": state=running, quota=30 (state is \"stopped\", quota is 25)\n");
      Result missing =
          cli()
              .agent(agent.url())
              .run("wait", "no-such-zone", "--state", "running", "--timeout", "200ms");
      assertThat(missing.exit()).isEqualTo(1);
      assertThat(missing.err()).endsWith("(no such VM)\n");
    }
  }

  @Test
  void survivesAnAgentRestart() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.db()));
        Background wait =
            Background.run(cli().agent(agent.url()), "wait", Vms.DB, "--state", "running")) {
      agent.awaitSubscribers(1);
      agent.stop();
      agent.source.put(Vms.db().with(o -> o.put("state", "running")));
      agent.startAgain();
      Result r = wait.await(WAIT);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.err()).contains("lost the connection").contains("fresh snapshot");
    }
  }

  @Test
  void badArgumentsAreUsageErrors() {
    Result none = cli().agent("http://127.0.0.1:1").run("wait", Vms.WEB);
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("say what to wait for: --state, --change or --deleted");
    Result badChange = cli().agent("http://127.0.0.1:1").run("wait", Vms.WEB, "--change", "quota");
    assertThat(badChange.exit()).isEqualTo(2);
    assertThat(badChange.err()).contains("--change: expected PATH=VALUE");
    Result badTimeout =
        cli()
            .agent("http://127.0.0.1:1")
            .run("wait", Vms.WEB, "--state", "running", "--timeout", "soon");
    assertThat(badTimeout.exit()).isEqualTo(2);
    assertThat(badTimeout.err()).contains("'soon' is not a duration");
    Result both =
        cli().agent("http://127.0.0.1:1").run("wait", Vms.WEB, "--state", "running", "--deleted");
    assertThat(both.exit()).isEqualTo(2);
    Result missingId = cli().run("wait", "--state", "running");
    assertThat(missingId.exit()).isEqualTo(2);
    assertThat(missingId.err()).contains("Missing required parameter: 'UUID|ZONENAME'");
  }
}
