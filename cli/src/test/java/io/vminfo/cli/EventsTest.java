package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.testing.Background;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.Golden;
import io.vminfo.cli.testing.TestAgent;
import io.vminfo.cli.testing.Vms;
import io.vminfo.core.ChangeAction;
import io.vminfo.core.FeedCodec;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEventType;
import io.vminfo.core.testing.SharedFixtures;
import io.vminfo.core.testing.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vminfo events} against a real agent: formats, filters, resume, reconnect, resync. */
class EventsTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String U = "5595d88c-6e4d-4bda-b58e-97dd02e32bec";

  @TempDir Path dir;

  /** The VM versions of RFD 39's sample (vmadm create, update quota=20, zfs set quota=10G). */
  record Step(String date, Vm vm) {}

  static List<Step> rfd39() {
    List<Step> steps = new ArrayList<>();
    ObjectNode o = CliJson.NODES.objectNode();
    o.put("uuid", U);
    o.put("zonename", U);
    o.put("brand", "joyent-minimal");
    o.put("state", "provisioning");
    o.put("zone_state", "configured");
    o.putNull("zoneid");
    o.put("server_uuid", Vms.SERVER);
    o.putArray("nics");
    o.put("transition_to", "running");
    o.put("transition_expire", 1464712449309L);
    o.put("last_modified", "2016-05-31T16:29:09.000Z");
    Vm v = Vm.of(o);
    steps.add(new Step("2016-05-31T16:29:09.477Z", v));
    v = next(steps, "2016-05-31T16:29:09.634Z", v, x -> x.put("zone_state", "incomplete"));
    v =
        next(
            steps,
            "2016-05-31T16:29:09.882Z",
            v,
            x ->
                x.put("quota", 10)
                    .put("zfs_root_recsize", 131072)
                    .put("zfs_filesystem", "zones/" + U)
                    .put("zpool", "zones"));
    v = next(steps, "2016-05-31T16:29:10.403Z", v, x -> x.put("zone_state", "installed"));
    v =
        next(
            steps,
            "2016-05-31T16:29:10.556Z",
            v,
            x -> {
              x.put("last_modified", "2016-05-31T16:29:10.000Z");
              x.putObject("customer_metadata");
              x.putObject("internal_metadata");
            });
    v =
        next(
            steps,
            "2016-05-31T16:29:11.259Z",
            v,
            x ->
                x.put("zone_state", "ready")
                    .put("zoneid", 24)
                    .put("boot_timestamp", "1970-01-01T00:00:00.000Z")
                    .put("pid", 0));
    v =
        next(
            steps,
            "2016-05-31T16:29:11.974Z",
            v,
            x ->
                x.put("zone_state", "running")
                    .put("boot_timestamp", "2016-05-31T16:29:11.000Z")
                    .put("pid", 20374));
    v =
        next(
            steps,
            "2016-05-31T16:29:15.221Z",
            v,
            x -> {
              x.put("state", "running");
              x.remove("transition_to");
              x.remove("transition_expire");
              x.put("last_modified", "2016-05-31T16:29:15.000Z");
            });
    v =
        next(
            steps,
            "2016-05-31T16:29:59.967Z",
            v,
            x -> x.put("last_modified", "2016-05-31T16:29:59.000Z").put("quota", 20));
    next(steps, "2016-05-31T16:34:39.145Z", v, x -> x.put("quota", 10));
    return steps;
  }

  private static Vm next(List<Step> steps, String date, Vm v, Consumer<ObjectNode> edit) {
    Vm n = v.with(edit);
    steps.add(new Step(date, n));
    return n;
  }

  private static void replay(TestAgent agent, List<Step> steps) {
    for (Step s : steps) {
      agent.clock.set(Instant.parse(s.date()));
      agent.apply(s.vm());
    }
  }

  @Test
  void textLinesAreRfd39sFormatExactly() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(), Instant.parse("2016-05-31T16:29:00Z"));
        Background events = Background.run(cli().agent(agent.url()), "events", "-n", "11")) {
      agent.awaitSubscribers(1);
      replay(agent, rfd39());
      agent.clock.set(Instant.parse("2016-05-31T16:40:00.001Z"));
      agent.delete(U);
      Result r = events.await(WAIT);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.err()).isEmpty();
      Golden.assertMatches("events-rfd39.txt", r.out());

      Path fixture =
          SharedFixtures.require(
              "smartos/vminfod-events-rfd39-create-sequence.txt",
              "RFD 39 events sample comparison");
      List<String> sample =
          Files.readAllLines(fixture, StandardCharsets.UTF_8).stream()
              .filter(l -> !l.startsWith("#") && !l.isBlank())
              .map(String::strip)
              .toList();
      List<String> ours = Arrays.asList(r.out().split("\n"));
      assertThat(ours.subList(0, ours.size() - 1)).containsExactlyElementsOf(sample);
      assertThat(ours.get(ours.size() - 1))
          .isEqualTo("[2016-05-31T16:40:00.001Z] " + U + " delete");
    }
  }

  @Test
  void jsonLinesAreFeedLines() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()));
        Background events = Background.run(cli().agent(agent.url()), "events", "-j", "-n", "3")) {
      agent.awaitSubscribers(1);
      agent.apply(Vms.db());
      agent.apply(Vms.db().with(o -> o.put("quota", 50)));
      agent.delete(Vms.DB);
      Result r = events.await(WAIT);
      assertThat(r.exit()).as(r.toString()).isZero();
      List<FeedMessage> lines = r.out().lines().map(FeedCodec::parse).toList();
      assertThat(lines).hasSize(3);
      FeedMessage.Event create = (FeedMessage.Event) lines.get(0);
      assertThat(create.type()).isEqualTo(VmEventType.CREATE);
      assertThat(create.vm()).contains(Vms.db());
      assertThat(create.zonename()).contains("db-primary");
      FeedMessage.Event modify = (FeedMessage.Event) lines.get(1);
      assertThat(modify.changes())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.prettyPath()).isEqualTo("quota");
                assertThat(c.action()).isEqualTo(ChangeAction.CHANGED);
              });
      assertThat(modify.rev().getAsLong()).isEqualTo(create.rev().getAsLong() + 1);
      assertThat(((FeedMessage.Event) lines.get(2)).type()).isEqualTo(VmEventType.DELETE);
    }
  }

  @Test
  void readyLineOnRequest() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web(), Vms.db()));
        Background text = Background.run(cli().agent(agent.url()), "events", "-r", "-n", "1");
        Background json =
            Background.run(cli().agent(agent.url()), "events", "-r", "-j", "-n", "1")) {
      agent.awaitSubscribers(2);
      long rev = agent.agent().store().revision();
      agent.apply(Vms.web().with(o -> o.put("quota", 30)));
      Result t = text.await(WAIT);
      assertThat(t.out()).startsWith("[2026-11-22T10:00:00.000Z] ready (2 VMs, rev " + rev + ")\n");
      Result j = json.await(WAIT);
      FeedMessage.Ready ready =
          (FeedMessage.Ready) FeedCodec.parse(j.out().lines().findFirst().orElseThrow());
      assertThat(ready.vms()).containsExactly(Vms.web(), Vms.db());
      assertThat(ready.epoch()).contains(agent.agent().store().epoch());
    }
  }

  @Test
  void filtersByUuidAndType() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web(), Vms.db()));
        Background events =
            Background.run(
                cli().agent(agent.url()),
                "events",
                "-f",
                Vms.DB.toUpperCase(),
                "--type",
                "modify,delete",
                "-n",
                "2")) {
      agent.awaitSubscribers(1);
      agent.apply(Vms.web().with(o -> o.put("quota", 30)));
      agent.apply(Vms.kvm());
      agent.apply(Vms.db().with(o -> o.put("quota", 31)));
      agent.delete(Vms.DB);
      Result r = events.await(WAIT);
      assertThat(r.out())
          .isEqualTo(
              "[2026-11-22T10:00:00.000Z] "
                  + Vms.DB
                  + " modify: quota changed :: 25 -> 31\n"
                  + "[2026-11-22T10:00:00.000Z] "
                  + Vms.DB
                  + " delete\n");
    }
  }

  @Test
  void ignoreDropsModifiesThatChangeOnlyLastModified() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()));
        Background events =
            Background.run(
                cli().agent(agent.url()), "events", "--ignore", "last_modified", "-n", "1")) {
      agent.awaitSubscribers(1);
      agent.apply(Vms.web().with(o -> o.put("last_modified", "2026-11-22T10:00:01.000Z")));
      agent.apply(
          Vms.web().with(o -> o.put("last_modified", "2026-11-22T10:00:01.000Z").put("quota", 30)));
      Result r = events.await(WAIT);
      assertThat(r.out())
          .isEqualTo(
              "[2026-11-22T10:00:00.000Z] " + Vms.WEB + " modify: quota changed :: 25 -> 30\n");
    }
    Result bad = cli().agent("http://127.0.0.1:1").run("events", "--ignore", "a.b");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--ignore \"a.b\" is not a top-level VM key");
  }

  @Test
  void sinceReplaysWhatHappenedBefore() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()))) {
      long rev = agent.agent().store().revision();
      agent.clock.set(Instant.parse("2026-11-22T10:01:00.000Z"));
      agent.apply(Vms.web().with(o -> o.put("quota", 30)));
      agent.clock.set(Instant.parse("2026-11-22T10:02:00.000Z"));
      agent.apply(Vms.web().with(o -> o.put("quota", 40)));
      Result r = cli().agent(agent.url()).run("events", "--since", Long.toString(rev), "-n", "2");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out())
          .isEqualTo(
              "[2026-11-22T10:01:00.000Z] "
                  + Vms.WEB
                  + " modify: quota changed :: 25 -> 30\n"
                  + "[2026-11-22T10:02:00.000Z] "
                  + Vms.WEB
                  + " modify: quota changed :: 30 -> 40\n");

      Result otherRun =
          cli()
              .agent(agent.url())
              .run("events", "--since", "1", "--epoch", "not-this-run", "-n", "1");
      assertThat(otherRun.exit()).isEqualTo(1);
      assertThat(otherRun.err())
          .startsWith(
              "vminfo: cannot resume from rev 1: the agent no longer"
                  + " has that revision or is another run (epoch); it is at rev ");
      Result bad = cli().agent(agent.url()).run("events", "--epoch", "x");
      assertThat(bad.exit()).isEqualTo(2);
      assertThat(bad.err()).contains("--epoch needs --since");
    }
  }

  @Test
  void badArgumentsAreUsageErrors() {
    Result badType = cli().agent("http://127.0.0.1:1").run("events", "--type", "reboot");
    assertThat(badType.exit()).isEqualTo(2);
    assertThat(badType.err()).contains("unknown event type \"reboot\"");
    Result badUuid = cli().agent("http://127.0.0.1:1").run("events", "-f", "web-1");
    assertThat(badUuid.exit()).isEqualTo(2);
    assertThat(badUuid.err()).contains("VM uuid must be a UUID, got: web-1");
    Result badCount = cli().agent("http://127.0.0.1:1").run("events", "-n", "x");
    assertThat(badCount.exit()).isEqualTo(2);
  }

  static String url(TcpProxy proxy) {
    return "http://127.0.0.1:" + proxy.uri().getPort();
  }

  @Test
  void brokenConnectionsResumeWithoutLosingEvents() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web()));
        TcpProxy proxy = new TcpProxy(agent.agent().address().getPort());
        Background events = Background.run(cli().agent(url(proxy)), "events", "-n", "3")) {
      agent.awaitSubscribers(1);
      agent.apply(Vms.web().with(o -> o.put("quota", 30)));
      events.awaitLines(1);
      proxy.dropAll(false);
      // Changes while the stream is down are replayed after the reconnect (resume, no resync).
      agent.apply(Vms.web().with(o -> o.put("quota", 40)));
      agent.apply(Vms.web().with(o -> o.put("quota", 50)));
      Result r = events.await(WAIT);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out())
          .isEqualTo(
              "[2026-11-22T10:00:00.000Z] "
                  + Vms.WEB
                  + " modify: quota changed :: 25 -> 30\n"
                  + "[2026-11-22T10:00:00.000Z] "
                  + Vms.WEB
                  + " modify: quota changed :: 30 -> 40\n"
                  + "[2026-11-22T10:00:00.000Z] "
                  + Vms.WEB
                  + " modify: quota changed :: 40 -> 50\n");
      assertThat(r.err())
          .contains("vminfo: lost the connection to the agent at " + url(proxy))
          .contains("; resumed at rev ")
          .contains(", no events missed");
      assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void agentRestartIsFollowedWithTheDifferencesFromItsSnapshot() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web(), Vms.db()));
        Background events = Background.run(cli().agent(agent.url()), "events", "-n", "4")) {
      agent.awaitSubscribers(1);
      agent.apply(Vms.web().with(o -> o.put("quota", 30)));
      events.awaitLines(1);
      agent.stop();
      // While the agent is down the host changes: db boots, a VM appears, web is unchanged.
      agent.clock.set(Instant.parse("2026-11-22T10:05:00.000Z"));
      agent.source.put(
          Vms.db()
              .with(o -> o.put("state", "running").put("zone_state", "running").put("zoneid", 9)));
      agent.source.put(Vms.kvm());
      agent.startAgain();
      agent.awaitSubscribers(1);
      agent.apply(Vms.web().with(o -> o.put("quota", 40)));
      Result r = events.await(WAIT);
      assertThat(r.exit()).as(r.toString()).isZero();
      Golden.assertMatches("events-agent-restart.txt", r.out());
      assertThat(r.err())
          .contains("vminfo: lost the connection to the agent at " + agent.uri())
          .contains("could not resume the stream")
          .contains("2 difference(s)");
      assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }
}
