package io.vminfo.ittests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.FeedSubscriber;
import io.vminfo.ittests.SmartOsHostTree;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the end-to-end tests share: agent set-up over a host tree and "agrees with" checks. */
final class E2e {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(60);

  private E2e() {}

  /** An agent over a SmartOS tree, with quick usage sampling and local storage. */
  static AgentProcess.Builder smartosAgent(Path work, SmartOsHostTree tree) {
    return AgentProcess.builder(work.resolve("agent"))
        .set("host_root", tree.root())
        .set("backend", "smartos")
        .set("log_level", "info");
  }

  /** {@code GET /vms} by uuid. */
  static Map<String, JsonNode> vms(AgentProcess agent) throws Exception {
    Map<String, JsonNode> out = new TreeMap<>();
    for (JsonNode vm : agent.getJson("/vms")) {
      out.put(vm.path("uuid").asText(), vm);
    }
    return out;
  }

  /** Waits until {@code /vms} agrees with the tree. */
  static void awaitTruth(AgentProcess agent, SmartOsHostTree tree) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(
        () -> assertThat(tree.differences(agent.getJson("/vms"))).isEmpty());
  }

  /** Waits until the subscriber has seen the agent's current revision, then compares states. */
  static void assertFeedEqualsVms(FeedSubscriber feed, AgentProcess agent) throws Exception {
    long rev = agent.getJson("/status").path("rev").asLong();
    assertThat(feed.awaitRev(rev, WAIT)).as("%s reaches rev %d", feed, rev).isTrue();
    assertThat(feed.vms()).isEqualTo(vms(agent));
  }

  static List<String> fieldNames(JsonNode o) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }
}
