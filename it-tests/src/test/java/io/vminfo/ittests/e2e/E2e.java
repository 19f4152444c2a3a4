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
  /**
   * Waits until the agent's VMs equal the tree. When they never do, the failure carries what is
   * needed to find out why: the agent's reload queue and errors from {@code /status}, and its WARN
   * and ERROR log lines.
   */
  static void awaitTruth(AgentProcess agent, SmartOsHostTree tree) {
    try {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(tree.differences(agent.getJson("/vms"))).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StringBuilder why =
          new StringBuilder("the agent never reached the truth: ").append(e.getMessage());
      try {
        JsonNode status = agent.getJson("/status");
        why.append("\n/status (without usage): ");
        if (status instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
          o.remove("usage");
        }
        why.append(status);
      } catch (Exception statusFailed) {
        why.append("\n/status failed: ").append(statusFailed);
      }
      agent.logLines(l -> l.isWarning() || l.isError()).stream()
          .limit(40)
          .forEach(l -> why.append("\nagent: ").append(l.message()));
      throw new AssertionError(why.toString(), e);
    }
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
