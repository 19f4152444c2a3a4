package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static io.vminfo.ittests.e2e.E2e.fieldNames;
import static io.vminfo.ittests.e2e.E2e.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.FeedSubscriber;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * E2E 2: the packaged agent over a SmartOS host tree follows a zone through vmadm create, update,
 * metadata changes, stop, start and delete. After every step {@code /vms} agrees with the tree, the
 * feed carries exactly the events vminfod would send, in vminfod's shapes (DESIGN section 4), and
 * the state rebuilt from the feed equals {@code /vms}.
 */
class SmartOsLifecycleIT {
  static final Pattern ISO_MILLIS =
      Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

  @TempDir Path dir;

  @Test
  void followsAZoneThroughVmadmsLifecycle() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    ZoneSpec existing = tree.create(ZoneSpec.of(uuid(), "existing"));
    try (AgentProcess agent = E2e.smartosAgent(dir, tree).start();
        FeedSubscriber feed = FeedSubscriber.openRecording(agent.uri(), "lifecycle", "", WAIT)) {
      E2e.awaitTruth(agent, tree);
      JsonNode ready = parse(feed.lines().get(0));
      assertThat(fieldNames(ready)).containsExactly("type", "date", "uuid", "vms", "rev", "epoch");
      assertThat(ready.path("vms").isTextual()).as("vms is double-encoded").isTrue();
      assertThat(ready.path("date").asText()).matches(ISO_MILLIS);
      assertThat(ready.path("epoch").asText())
          .isEqualTo(agent.getJson("/status").path("epoch").asText());
      assertThat(feed.vms()).containsOnlyKeys(existing.uuid());

      // vmadm create
      String b = uuid();
      List<JsonNode> created = step(feed, agent, tree, () -> tree.create(ZoneSpec.of(b, "web01")));
      assertThat(types(created)).containsExactly("create");
      JsonNode create = created.get(0);
      assertThat(fieldNames(create))
          .containsExactly("type", "date", "zonename", "uuid", "vm", "rev");
      assertThat(create.path("zonename").asText()).isEqualTo(b);
      assertThat(create.path("uuid").asText()).isEqualTo(b);
      assertThat(tree.differences(withOthers(agent, create.path("vm")))).isEmpty();
      assertThat(create.path("vm").path("state").asText()).isEqualTo("running");

      // vmadm update alias=... max_physical_memory=...
      List<JsonNode> updated =
          step(
              feed,
              agent,
              tree,
              () -> tree.update(b, s -> s.withAlias("web01-renamed").withMaxPhysicalMemory(2048)));
      assertThat(types(updated)).containsExactly("modify");
      JsonNode modify = updated.get(0);
      assertThat(fieldNames(modify))
          .containsExactly("type", "date", "zonename", "uuid", "vm", "changes", "rev");
      assertChange(modify, "alias", "changed", "\"web01\"", "\"web01-renamed\"");
      assertChange(modify, "max_physical_memory", "changed", "1024", "2048");

      // vmadm update set_customer_metadata / remove_tags
      List<JsonNode> metadata =
          step(
              feed,
              agent,
              tree,
              () ->
                  tree.update(
                      b, s -> s.withCustomerMetadata("user-script", "#!/bin/sh\necho hello\n")));
      assertThat(types(metadata)).containsExactly("modify");
      assertChange(
          metadata.get(0),
          "customer_metadata.user-script",
          "added",
          null,
          "\"#!/bin/sh\\necho hello\\n\"");
      List<JsonNode> tags =
          step(feed, agent, tree, () -> tree.update(b, s -> s.withTags(Map.of())));
      assertThat(types(tags)).containsExactly("modify");
      assertChange(tags.get(0), "tags.env", "removed", "\"it\"", null);

      // vmadm stop: lastexited is written, then the zone is installed again
      List<JsonNode> stopped = step(feed, agent, tree, () -> tree.setState(b, "stopped"));
      assertThat(types(stopped)).isNotEmpty().containsOnly("modify");
      JsonNode lastStop = stopped.get(stopped.size() - 1);
      assertThat(lastStop.path("vm").path("state").asText()).isEqualTo("stopped");
      assertThat(lastStop.path("vm").has("exit_timestamp")).isTrue();
      assertThat(allChanges(stopped))
          .anyMatch(
              c ->
                  c.path("prettyPath").asText().equals("state")
                      && c.path("oldValue").asText().equals("running")
                      && c.path("newValue").asText().equals("stopped"));

      // vmadm start
      List<JsonNode> started = step(feed, agent, tree, () -> tree.setState(b, "running"));
      assertThat(types(started)).containsExactly("modify");
      assertChange(started.get(0), "state", "changed", "\"stopped\"", "\"running\"");
      assertChange(started.get(0), "zone_state", "changed", "\"installed\"", "\"running\"");

      // vmadm delete
      List<JsonNode> deleted = step(feed, agent, tree, () -> tree.delete(b));
      assertThat(types(deleted)).containsExactly("delete");
      assertThat(fieldNames(deleted.get(0)))
          .containsExactly("type", "date", "zonename", "uuid", "rev");
      assertThat(deleted.get(0).path("zonename").asText()).isEqualTo(b);
      assertThat(agent.get("/vms/" + b).status()).isEqualTo(404);
      assertThat(agent.get("/vms/" + b).json().path("code").asText()).isEqualTo("NotFound");

      // every event line: rev strictly +1, ISO dates; no errors reported
      assertThat(feed.violations()).isEmpty();
      for (String line : feed.lines()) {
        assertThat(parse(line).path("date").asText()).matches(ISO_MILLIS);
      }
      assertThat(agent.getJson("/status").path("vmErrors")).isEmpty();
      assertThat(agent.logLines(l -> l.isError())).isEmpty();
    }
  }

  /**
   * Runs one change and returns the feed lines it caused, once /vms and the feed agree with the
   * tree.
   */
  static List<JsonNode> step(
      FeedSubscriber feed, AgentProcess agent, SmartOsHostTree tree, Change change)
      throws Exception {
    int before = feed.lines().size();
    change.run();
    E2e.awaitTruth(agent, tree);
    E2e.assertFeedEqualsVms(feed, agent);
    List<JsonNode> out = new ArrayList<>();
    for (String l : feed.lines().subList(before, feed.lines().size())) {
      out.add(parse(l));
    }
    return out;
  }

  interface Change {
    void run() throws Exception;
  }

  static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.path("type").asText()).toList();
  }

  static List<JsonNode> allChanges(List<JsonNode> events) {
    List<JsonNode> out = new ArrayList<>();
    events.forEach(e -> e.path("changes").forEach(out::add));
    return out;
  }

  static List<JsonNode> withOthers(AgentProcess agent, JsonNode vm) throws Exception {
    List<JsonNode> out = new ArrayList<>(E2e.vms(agent).values());
    out.removeIf(v -> v.path("uuid").equals(vm.path("uuid")));
    out.add(vm);
    return out;
  }

  /** The modify carries this change in diff.js's shape (keys that do not apply are absent). */
  static void assertChange(
      JsonNode modify, String prettyPath, String action, String oldJson, String newJson) {
    JsonNode change = null;
    for (JsonNode c : modify.path("changes")) {
      if (c.path("prettyPath").asText().equals(prettyPath)) {
        change = c;
      }
    }
    assertThat(change).as("a change of %s in %s", prettyPath, modify).isNotNull();
    assertThat(change.path("action").asText()).isEqualTo(action);
    assertThat(change.path("path").isArray()).isTrue();
    List<String> keys = fieldNames(change);
    assertThat(keys).startsWith("prettyPath", "path", "action");
    if (oldJson == null) {
      assertThat(keys).doesNotContain("oldValue");
    } else {
      assertThat(change.get("oldValue")).isEqualTo(parse(oldJson));
    }
    if (newJson == null) {
      assertThat(keys).doesNotContain("newValue");
    } else {
      assertThat(change.get("newValue")).isEqualTo(parse(newJson));
    }
  }

  static String uuid() {
    return UUID.randomUUID().toString();
  }
}
