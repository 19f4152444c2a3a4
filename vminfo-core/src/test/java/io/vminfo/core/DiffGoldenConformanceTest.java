package io.vminfo.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.vminfo.core.internal.Json;
import io.vminfo.core.testing.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every case of smartos-live's diff.js captured in {@code
 * ../shared/fixtures/smartos/diffjs-golden-cases.json}: the output must be identical, including
 * order and omitted keys. The four inputs on which diff.js throws must give changes.
 */
class DiffGoldenConformanceTest {
  private static final String FIXTURE = "smartos/diffjs-golden-cases.json";

  @TestFactory
  Stream<DynamicTest> goldenCases() throws Exception {
    Path file = SharedFixtures.require(FIXTURE, "diff.js golden conformance");
    JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(file));
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      tests.add(
          DynamicTest.dynamicTest(
              c.get("name").asText(),
              () -> {
                List<Change> changes = JsonDiff.diff(c.get("a"), c.get("b"), options(c));
                ArrayNode actual = Json.NODES.arrayNode();
                changes.forEach(ch -> actual.add(ch.toJson()));
                // Compare the exact text: key order inside each change matters on the wire.
                assertThat(Json.string(actual)).isEqualTo(Json.string(c.get("expected")));
              }));
    }
    for (JsonNode c : root.get("throwing")) {
      tests.add(
          DynamicTest.dynamicTest(
              "diff.js throws: " + c.get("name").asText(),
              () -> {
                List<Change> changes = JsonDiff.diff(c.get("a"), c.get("b"), options(c));
                assertThat(changes)
                    .as("a well-defined change instead of an exception")
                    .isNotEmpty();
                for (Change ch : changes) {
                  JsonNode wire = ch.toJson();
                  assertThat(wire.has("prettyPath") && wire.has("path") && wire.has("action"))
                      .isTrue();
                }
              }));
    }
    return tests.stream();
  }

  private static DiffOptions options(JsonNode c) {
    JsonNode map = c.path("opts").path("map");
    if (map.isMissingNode()) {
      return DiffOptions.NONE;
    }
    Map<String, String> keys = new HashMap<>();
    map.properties().forEach(e -> keys.put(e.getKey(), e.getValue().asText()));
    return new DiffOptions(keys);
  }
}
