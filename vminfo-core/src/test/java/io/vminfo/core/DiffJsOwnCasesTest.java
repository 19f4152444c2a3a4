package io.vminfo.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.vminfo.core.internal.Json;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The project's own diff.js cases ({@code diffjs/own-diffjs-cases.json}): inputs we wrote, the
 * output observed from the real diff.js on Node 20 (regenerate with {@code
 * src/test/node/diffjs-cases.js}). They cover what the shared golden cases do not: identity pairing
 * (duplicates, absent, null, object and non-object identities), duplicates per copy and
 * JavaScript's key order. Unlike the shared fixtures these are always present.
 */
class DiffJsOwnCasesTest {
  private static final String CASES = "/diffjs/own-diffjs-cases.json";

  @TestFactory
  Stream<DynamicTest> sameOutputAsDiffJs() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases().get("cases")) {
      if (c.has("throws")) {
        tests.add(
            DynamicTest.dynamicTest(
                "diff.js throws: " + c.get("name").asText(),
                () -> {
                  List<Change> changes = JsonDiff.diff(c.get("a"), c.get("b"), options(c));
                  assertThat(changes).as("well-defined changes where diff.js throws").isNotEmpty();
                }));
        continue;
      }
      tests.add(
          DynamicTest.dynamicTest(
              c.get("name").asText(),
              () -> {
                ArrayNode actual = Json.NODES.arrayNode();
                JsonDiff.diff(c.get("a"), c.get("b"), options(c))
                    .forEach(ch -> actual.add(ch.toJson()));
                assertThat(Json.string(actual)).isEqualTo(Json.string(c.get("expected")));
              }));
    }
    return tests.stream();
  }

  @Test
  void whereDiffJsThrowsOnANonObjectElementTheOthersStillPair() throws Exception {
    JsonNode c = caseNamed("a removed non-object element with identity map");
    ArrayNode actual = Json.NODES.arrayNode();
    JsonDiff.diff(c.get("a"), c.get("b"), options(c)).forEach(ch -> actual.add(ch.toJson()));
    assertThat(Json.string(actual))
        .isEqualTo(
            Json.string(
                Json.MAPPER.readTree(
                    "[{\"prettyPath\":\"nics.*\",\"path\":[\"nics\",null],\"action\":\"removed\",\"oldValue\":5},"
                        + "{\"prettyPath\":\"nics.*.ip\",\"path\":[\"nics\",null,\"ip\"],\"action\":\"changed\","
                        + "\"oldValue\":\"1\",\"newValue\":\"2\",\"ident\":\"m\"}]")));
  }

  @Test
  void theCaseFileCoversEveryPairingRuleAndWasGeneratedByDiffJs() throws Exception {
    JsonNode root = cases();
    assertThat(root.get("generatedBy").asText())
        .startsWith("node v20")
        .contains("diff.js smartos-live");
    long withExpected = 0;
    for (JsonNode c : root.get("cases")) {
      assertThat(c.has("expected") || c.has("throws")).as(c.get("name").asText()).isTrue();
      withExpected += c.has("expected") ? 1 : 0;
    }
    assertThat(withExpected).isGreaterThanOrEqualTo(25);
  }

  private static JsonNode caseNamed(String name) throws Exception {
    for (JsonNode c : cases().get("cases")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no case " + name);
  }

  private static JsonNode cases() throws Exception {
    try (InputStream in = DiffJsOwnCasesTest.class.getResourceAsStream(CASES)) {
      assertThat(in).as(CASES).isNotNull();
      return Json.MAPPER.readTree(in);
    }
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
