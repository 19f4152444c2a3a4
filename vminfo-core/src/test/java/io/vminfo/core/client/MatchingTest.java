package io.vminfo.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.Change;
import io.vminfo.core.ChangeAction;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.JsonDiff;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEventType;
import io.vminfo.core.client.internal.ChangeTracker;
import io.vminfo.core.client.internal.JsonSubset;
import io.vminfo.core.internal.Json;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** vminfod's matching semantics (client.js objSameValues, watchForChanges). */
class MatchingTest {
  private static final String U = "5595d88c-6e4d-4bda-b58e-97dd02e32bec";

  @Test
  void subsetMatchIsRecursive() {
    assertThat(JsonSubset.matches(json("{}"), json("{\"a\":1}"))).isTrue();
    assertThat(JsonSubset.matches(json("{\"a\":1}"), json("{\"a\":1,\"b\":2}"))).isTrue();
    assertThat(JsonSubset.matches(json("{\"a\":{\"b\":1}}"), json("{\"a\":{\"b\":1,\"c\":2}}")))
        .isTrue();
    assertThat(JsonSubset.matches(json("{\"a\":{\"b\":2}}"), json("{\"a\":{\"b\":1}}"))).isFalse();
    assertThat(JsonSubset.matches(json("{\"a\":{\"b\":1}}"), json("{\"a\":5}"))).isFalse();
    assertThat(JsonSubset.matches(json("{\"a\":1}"), json("{}"))).isFalse();
  }

  @Test
  void subsetMatchKeepsVminfodQuirks() {
    // numbers compare by value
    assertThat(JsonSubset.matches(json("{\"q\":10}"), json("{\"q\":10.0}"))).isTrue();
    assertThat(JsonSubset.matches(json("{\"q\":10}"), json("{\"q\":\"10\"}"))).isFalse();
    // null matches null only, never a missing key
    assertThat(JsonSubset.matches(json("{\"z\":null}"), json("{\"z\":null}"))).isTrue();
    assertThat(JsonSubset.matches(json("{\"z\":null}"), json("{}"))).isFalse();
    // string arrays compare joined, in order, and equal the joined string
    assertThat(JsonSubset.matches(json("{\"r\":[\"a\",\"b\"]}"), json("{\"r\":[\"a\",\"b\"]}")))
        .isTrue();
    assertThat(JsonSubset.matches(json("{\"r\":[\"a\",\"b\"]}"), json("{\"r\":[\"b\",\"a\"]}")))
        .isFalse();
    assertThat(JsonSubset.matches(json("{\"r\":[\"a\",\"b\"]}"), json("{\"r\":\"a,b\"}"))).isTrue();
    assertThat(JsonSubset.matches(json("{\"r\":[]}"), json("{\"r\":[]}"))).isTrue();
    // other arrays match by index, as subsets
    assertThat(
            JsonSubset.matches(
                json("{\"n\":[{\"ip\":\"1\"}]}"),
                json("{\"n\":[{\"ip\":\"1\",\"mac\":\"m\"},{\"ip\":\"2\"}]}")))
        .isTrue();
    assertThat(
            JsonSubset.matches(
                json("{\"n\":[{\"ip\":\"2\"}]}"), json("{\"n\":[{\"ip\":\"1\"},{\"ip\":\"2\"}]}")))
        .isFalse();
    assertThat(JsonSubset.matches(json("{\"b\":true}"), json("{\"b\":true}"))).isTrue();
    assertThat(JsonSubset.matches(json("{\"b\":true}"), json("{\"b\":\"true\"}"))).isFalse();
  }

  @Test
  void eventPatternsMatchTheWireObject() {
    FeedMessage.Event e =
        modify(
            vm("{\"zone_state\":\"running\",\"quota\":10}"),
            vm("{\"zone_state\":\"running\",\"quota\":20}"));
    assertThat(EventPattern.any().matches(e)).isTrue();
    assertThat(EventPattern.any().uuid(U).type(VmEventType.MODIFY).vm("quota", 20).matches(e))
        .isTrue();
    assertThat(EventPattern.any().vm("quota", 10).matches(e)).isFalse();
    assertThat(EventPattern.any().type(VmEventType.CREATE).matches(e)).isFalse();
    assertThat(
            EventPattern.of(
                    json("{\"zonename\":\"" + U + "\",\"vm\":{\"zone_state\":" + "\"running\"}}"))
                .matches(e))
        .isTrue();
    assertThat(EventPattern.of(json("{\"changes\":[{\"path\":[\"quota\"]}]}")).matches(e)).isTrue();
    EventPattern p = EventPattern.any().uuid(U).type(VmEventType.DELETE);
    assertThat(p.requiredUuid()).contains(U);
    assertThat(p.requiredType()).contains(VmEventType.DELETE);
    assertThatThrownBy(() -> EventPattern.of(json("[]"))).hasMessageContaining("JSON object");
  }

  @Test
  void changePatternsMatchPathWithWildcardsAndOtherKeys() {
    Change quota =
        Change.changed(
            List.of(io.vminfo.core.PathSegment.key("quota")), num(10), num(20), Optional.empty());
    Change nicIp =
        Change.changed(
            List.of(
                io.vminfo.core.PathSegment.key("nics"),
                io.vminfo.core.PathSegment.ANY_ELEMENT,
                io.vminfo.core.PathSegment.key("ip")),
            text("10.0.0.1"),
            text("10.0.0.2"),
            Optional.of(text("90:b8:d0:00:00:01")));
    assertThat(ChangePattern.at("quota").action(ChangeAction.CHANGED).matches(quota)).isTrue();
    assertThat(ChangePattern.at("quota").oldValue(10).newValue(20).matches(quota)).isTrue();
    assertThat(ChangePattern.at("quota").newValue(30).matches(quota)).isFalse();
    assertThat(ChangePattern.at("quota", "x").action(ChangeAction.CHANGED).matches(quota))
        .isFalse();
    assertThat(ChangePattern.at((String) null).action(ChangeAction.CHANGED).matches(quota))
        .isTrue(); // null is a wildcard for any segment
    assertThat(ChangePattern.at("nics", null, "ip").newValue("10.0.0.2").matches(nicIp)).isTrue();
    assertThat(ChangePattern.at("nics", "0", "ip").newValue("10.0.0.2").matches(nicIp)).isFalse();
    assertThat(
            ChangePattern.at("nics", null, "ip")
                .with("ident", text("90:b8:d0:00:00:01"))
                .matches(nicIp))
        .isTrue();
    // an added change has no oldValue key: null does not match it
    Change added =
        Change.added(List.of(io.vminfo.core.PathSegment.key("quota")), num(10), Optional.empty());
    assertThat(ChangePattern.of(json("{\"path\":[\"quota\"],\"oldValue\":null}")).matches(added))
        .isFalse();
    assertThat(ChangePattern.of(json("{\"path\":[\"quota\"],\"action\":\"added\"}")).matches(added))
        .isTrue();
    assertThatThrownBy(() -> ChangePattern.of(json("{\"path\":[\"quota\"]}")))
        .hasMessageContaining("only \"path\"");
    assertThatThrownBy(() -> ChangeExpectation.allOf(ChangePattern.at("quota")))
        .hasMessageContaining("only \"path\"");
  }

  @Test
  void expectationsAreAndOfOrAcrossEventsOneGroupPerChange() {
    ChangeExpectation expect =
        ChangeExpectation.of(
            json(
                """
        [ {"path":["quota"],"action":"changed","newValue":20},
          [ {"path":["zone_state"],"newValue":"running"},
            {"path":["zone_state"],"newValue":"stopped"} ],
          {"path":["quota"],"action":"changed"} ]"""));
    assertThat(expect.groups()).hasSize(3);
    ChangeTracker t = new ChangeTracker(expect, false);
    // one quota change satisfies only one of the two quota groups
    assertThat(t.offer(modify(vm("{\"quota\":10}"), vm("{\"quota\":20}")))).isTrue();
    assertThat(t.isDone()).isFalse();
    assertThat(t.remaining()).isEqualTo(2);
    assertThat(t.offer(modify(vm("{\"alias\":\"a\"}"), vm("{\"alias\":\"b\"}")))).isFalse();
    assertThat(
            t.offer(
                modify(
                    vm("{\"zone_state\":\"installed\",\"quota\":20}"),
                    vm("{\"zone_state\":\"stopped\",\"quota\":30}"))))
        .isTrue();
    assertThat(t.isDone()).isTrue();

    ChangeTracker first = new ChangeTracker(expect, true);
    first.offer(modify(vm("{\"zone_state\":\"a\"}"), vm("{\"zone_state\":\"running\"}")));
    assertThat(first.isDone()).isTrue();
    assertThat(new ChangeTracker(ChangeExpectation.of(json("[]")), false).isDone()).isTrue();
  }

  private static FeedMessage.Event modify(Vm a, Vm b) {
    List<Change> changes = JsonDiff.diff(a, b);
    return new FeedMessage.Event(
        VmEventType.MODIFY,
        Instant.parse("2026-01-01T00:00:00Z"),
        U,
        Optional.of(U),
        Optional.of(b),
        changes,
        OptionalLong.of(7));
  }

  private static Vm vm(String extra) {
    com.fasterxml.jackson.databind.node.ObjectNode o =
        (com.fasterxml.jackson.databind.node.ObjectNode) json(extra);
    o.put("uuid", U);
    o.put("zonename", U);
    return Vm.of(o);
  }

  private static JsonNode json(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode num(long n) {
    return Json.NODES.numberNode(n);
  }

  private static JsonNode text(String s) {
    return Json.NODES.textNode(s);
  }
}
