package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.Golden;
import io.vminfo.cli.testing.TestAgent;
import io.vminfo.cli.testing.Vms;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ping, status, vms, vm against a real agent, output compared with golden files. */
class AgentCommandsTest {
  @TempDir static Path dir;

  static TestAgent agent;

  @BeforeAll
  static void start() throws Exception {
    agent = TestAgent.start(dir, List.of(Vms.web(), Vms.db(), Vms.kvm()));
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  private static Result run(String... args) {
    return cli().agent(agent.url()).run(args);
  }

  @Test
  void ping() {
    Result r = run("ping");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("pong\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void urlFlagWinsOverEnvironment() {
    Result r = cli().agent("http://127.0.0.1:1").run("ping", "--url", agent.url());
    assertThat(r.exit()).as(r.toString()).isZero();
    Result before = cli().agent("http://127.0.0.1:1").run("--url", agent.url() + "/", "ping");
    assertThat(before.exit()).as(before.toString()).isZero();
    Result hostPort = cli().run("--url", agent.url().substring("http://".length()), "ping");
    assertThat(hostPort.exit()).as(hostPort.toString()).isZero();
  }

  @Test
  void vmsDefaultTable() {
    Result r = run("vms");
    assertThat(r.exit()).as(r.toString()).isZero();
    Golden.assertMatches("vms-default.txt", r.out());
  }

  @Test
  void vmsColumnsSortedDescendingWithVmadmAliases() {
    Result r = run("vms", "-o", "uuid,type,ram,state,alias", "-s", "-ram");
    assertThat(r.exit()).as(r.toString()).isZero();
    Golden.assertMatches("vms-columns-sorted.txt", r.out());
  }

  @Test
  void vmsParsableEscapesColonsAndHasNoHeader() {
    Result r = run("vms", "-p", "-o", "uuid,alias,nics.0.mac,tags.role");
    assertThat(r.exit()).as(r.toString()).isZero();
    Golden.assertMatches("vms-parsable.txt", r.out());
  }

  @Test
  void vmsWithoutHeader() {
    Result r = run("vms", "-H", "-o", "alias,state", "-s", "alias");
    assertThat(r.out())
        .isEqualTo("build       running\ndb:primary  stopped\nweb-1       running\n");
  }

  @Test
  void vmsJsonProjection() {
    Result r = run("vms", "-j", "-o", "uuid,alias,nics.0.ip");
    assertThat(r.exit()).as(r.toString()).isZero();
    Golden.assertMatches("vms-json-projection.txt", r.out());
  }

  @Test
  void vmsJsonFullObjectsAreTheAgentsVms() throws Exception {
    Result r = run("vms", "-j");
    JsonNode array = CliJson.parse(r.out().getBytes(StandardCharsets.UTF_8));
    assertThat(array).hasSize(3);
    assertThat(io.vminfo.core.Vm.of(array.get(0))).isEqualTo(Vms.web());
    assertThat(io.vminfo.core.Vm.of(array.get(2))).isEqualTo(Vms.kvm());
  }

  @Test
  void vmsFiltersOnTheAgentAndHere() {
    assertThat(run("vms", "-H", "-o", "alias", "state=stopped").out()).isEqualTo("db:primary\n");
    assertThat(run("vms", "-H", "-o", "alias", "state=running", "brand=kvm").out())
        .isEqualTo("build\n");
    assertThat(run("vms", "-H", "-o", "alias", "alias=~^(web|db)").out())
        .isEqualTo("web-1\ndb:primary\n");
    assertThat(run("vms", "-H", "-o", "alias", "tags.role=db").out()).isEqualTo("db:primary\n");
    assertThat(run("vms", "-H", "-o", "alias", "ram=2048").out()).isEqualTo("build\n");
    assertThat(run("vms", "-H", "-o", "alias", "vcpus=").out()).isEqualTo("web-1\ndb:primary\n");
    assertThat(run("vms", "state=paused").out())
        .isEqualTo("UUID  ALIAS  STATE  BRAND  MAX_PHYSICAL_MEMORY\n");
  }

  @Test
  void vmsBadArgumentsAreUsageErrors() {
    Result noEquals = run("vms", "alias");
    assertThat(noEquals.exit()).isEqualTo(2);
    assertThat(noEquals.err()).contains("bad filter \"alias\": expected field=value");
    Result badRegex = run("vms", "alias=~(");
    assertThat(badRegex.exit()).isEqualTo(2);
    assertThat(badRegex.err()).contains("bad regular expression");
    Result badField = run("vms", "-o", "uuid,,alias");
    assertThat(badField.exit()).isEqualTo(2);
    Result both = run("vms", "-j", "-p");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("-j and -p cannot be combined");
    Result unknown = run("vms", "--colour");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--colour'").contains("vminfo vms --help");
  }

  @Test
  void vmByUuidAndByZonename() {
    Result byUuid = run("vm", Vms.DB);
    assertThat(byUuid.exit()).as(byUuid.toString()).isZero();
    Golden.assertMatches("vm-db.txt", byUuid.out());
    Result byZonename = run("vm", "db-primary");
    assertThat(byZonename.out()).isEqualTo(byUuid.out());
  }

  @Test
  void unknownVmIsAFailedConditionWithTheAgentsMessage() {
    Result r = run("vm", "nope");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("vminfo: VM Not Found: nope\n");
  }

  @Test
  void statusSummaryFullAndJson() throws Exception {
    Result summary = run("status");
    assertThat(summary.exit()).as(summary.toString()).isZero();
    assertThat(summary.out())
        .startsWith("state: running (")
        .contains("\nnumVms: 3 (rev ")
        .contains("\nbackend: fake\n")
        .contains("\nserver: " + Vms.SERVER + " (datacenter test-dc)")
        .contains("\nqueue\n  paused: false\n")
        .contains("\nusage: running");
    Result full = run("status", "-f");
    assertThat(full.out()).contains("\nfeed\n  subscribers: ").contains("\nusage\n  state: ");
    Result json = run("status", "-j");
    JsonNode status = CliJson.parse(json.out().getBytes(StandardCharsets.UTF_8));
    assertThat(status.path("numVms").asInt()).isEqualTo(3);
    assertThat(status.path("epoch").asText()).isEqualTo(agent.agent().store().epoch());
  }

  @Test
  void unreachableAgentIsOneLineAndExit3() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    for (String cmd : List.of("ping", "status", "vms", "events", "wait")) {
      List<String> args =
          cmd.equals("wait")
              ? List.of(cmd, Vms.WEB, "--state", "running")
              : cmd.equals("vms") ? List.of(cmd, "-j") : List.of(cmd);
      Result r = cli().agent("http://127.0.0.1:" + port).run(args.toArray(String[]::new));
      assertThat(r.exit()).as(cmd + ": " + r).isEqualTo(3);
      assertThat(r.out()).isEmpty();
      assertThat(r.err())
          .as(cmd)
          .isEqualTo(
              "vminfo: cannot reach the agent at http://127.0.0.1:"
                  + port
                  + "/: connection refused (is vminfod running? set --url or VMINFO_URL)\n");
    }
    Result debug = cli().agent("http://127.0.0.1:" + port).run("ping", "--debug");
    assertThat(debug.exit()).isEqualTo(3);
    assertThat(debug.err()).contains("java.net.ConnectException").contains("\tat ");
  }

  @Test
  void badAgentUrlIsAUsageError() {
    Result r = cli().run("ping", "--url", "ftp://example.com");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "vminfo: bad agent URL in --url: \"ftp://example.com\""
                + " (expected http://host:port)\n");
    Result env = cli().agent("http://h:1/?x=1").run("ping");
    assertThat(env.exit()).isEqualTo(2);
    assertThat(env.err()).contains("VMINFO_URL");
  }
}
