package io.vminfo.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.internal.Json;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.TestVms;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedCodecTest {
  private static final Instant T = Instant.parse("2026-11-22T10:01:02.345Z");
  private final VmStore store = VmStore.builder().clock(new ManualClock(T)).epoch("ep-1").build();

  @Test
  void readyCarriesTheSnapshotAsADoubleEncodedArray() throws Exception {
    byte[] line =
        FeedCodec.readyLine(
            "listener-1", List.of(TestVms.vm(1), TestVms.vm(2)), 7, "ep-1", T, false);
    String text = new String(line, StandardCharsets.UTF_8);
    assertThat(text).endsWith("}\n").doesNotContain("resync");
    assertThat(text.indexOf('\n')).isEqualTo(text.length() - 1);
    JsonNode node = Json.MAPPER.readTree(line);
    assertThat(fieldNames(node)).containsExactly("type", "date", "uuid", "vms", "rev", "epoch");
    assertThat(node.get("vms").isTextual()).as("vms is a string (vminfod quirk)").isTrue();
    JsonNode vms = Json.MAPPER.readTree(node.get("vms").textValue());
    assertThat(vms).hasSize(2);
    assertThat(vms.get(0)).isEqualTo(TestVms.vm(1).toJson());
    assertThat(node.get("date").textValue()).isEqualTo("2026-11-22T10:01:02.345Z");

    FeedMessage.Ready ready = (FeedMessage.Ready) FeedCodec.parse(line);
    assertThat(ready.vms()).containsExactly(TestVms.vm(1), TestVms.vm(2));
    assertThat(ready.listenerId()).isEqualTo("listener-1");
    assertThat(ready.rev()).hasValue(7);
    assertThat(ready.epoch()).contains("ep-1");
    assertThat(ready.resync()).isFalse();
    assertThat(
            ((FeedMessage.Ready)
                    FeedCodec.parse(FeedCodec.readyLine("l", List.of(), 0, "e", T, true)))
                .resync())
        .isTrue();
  }

  @Test
  void everyEventTypeRoundTrips() {
    VmEvent create = store.put(TestVms.vm(1)).orElseThrow();
    VmEvent modify = store.put(TestVms.vm(1).with(o -> o.put("alias", "b"))).orElseThrow();
    VmEvent delete = store.remove(TestVms.uuid(1)).orElseThrow();
    for (VmEvent e : List.of(create, modify, delete)) {
      FeedMessage.Event parsed = (FeedMessage.Event) FeedCodec.parse(e.line());
      assertThat(parsed.type()).isEqualTo(e.type());
      assertThat(parsed.rev()).hasValue(e.rev());
      assertThat(parsed.uuid()).isEqualTo(e.uuid());
      assertThat(parsed.zonename()).isEqualTo(e.zonename());
      assertThat(parsed.vm()).isEqualTo(e.vm());
      assertThat(parsed.changes()).isEqualTo(e.changes());
      assertThat(parsed.date()).isEqualTo(T);
    }
  }

  @Test
  void eventLinesHaveVminfodKeysInOrder() throws Exception {
    VmEvent create = store.put(TestVms.vm(1)).orElseThrow();
    VmEvent modify = store.put(TestVms.vm(1).with(o -> o.put("alias", "b"))).orElseThrow();
    VmEvent delete = store.remove(TestVms.uuid(1)).orElseThrow();
    assertThat(fieldNames(Json.MAPPER.readTree(create.line())))
        .containsExactly("type", "date", "zonename", "uuid", "vm", "rev");
    assertThat(fieldNames(Json.MAPPER.readTree(modify.line())))
        .containsExactly("type", "date", "zonename", "uuid", "vm", "changes", "rev");
    assertThat(fieldNames(Json.MAPPER.readTree(delete.line())))
        .containsExactly("type", "date", "zonename", "uuid", "rev");
  }

  @Test
  void resumedAndHeartbeatRoundTrip() {
    FeedMessage.Resumed resumed =
        (FeedMessage.Resumed) FeedCodec.parse(FeedCodec.resumedLine("l1", 42, "ep", T));
    assertThat(resumed.rev()).hasValue(42);
    assertThat(resumed.epoch()).contains("ep");
    assertThat(resumed.listenerId()).isEqualTo("l1");
    FeedMessage.Heartbeat hb =
        (FeedMessage.Heartbeat) FeedCodec.parse(FeedCodec.heartbeatLine(9, T));
    assertThat(hb.rev()).hasValue(9);
    assertThat(new String(FeedCodec.heartbeatLine(9, T), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"heartbeat\",\"date\":\"2026-11-22T10:01:02.345Z\",\"rev\":9}\n");
  }

  @Test
  void linesFromVminfodWithoutRevisionsParse() {
    String u = TestVms.uuid(3);
    FeedMessage.Event e =
        (FeedMessage.Event)
            FeedCodec.parse(
                "{\"type\":\"modify\",\"date\":\"2016-05-31T16:29:09.634Z\","
                    + "\"zonename\":\""
                    + u
                    + "\",\"uuid\":\""
                    + u
                    + "\",\"vm\":{\"uuid\":\""
                    + u
                    + "\",\"zone_state\":\"incomplete\"},"
                    + "\"changes\":[{\"prettyPath\":\"zone_state\",\"path\":[\"zone_state\"],\"action\":\"changed\","
                    + "\"oldValue\":\"configured\",\"newValue\":\"incomplete\"}],\"extra\":1}");
    assertThat(e.rev()).isEmpty();
    assertThat(e.changes()).singleElement().extracting(Change::prettyPath).isEqualTo("zone_state");
  }

  @Test
  void badLinesGiveClearErrors() {
    assertThatThrownBy(() -> FeedCodec.parse("not json"))
        .isInstanceOf(FeedFormatException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> FeedCodec.parse("[]")).hasMessageContaining("not a JSON object");
    assertThatThrownBy(
            () -> FeedCodec.parse("{\"type\":\"bogus\",\"date\":\"2026-11-22T10:00:00Z\"}"))
        .hasMessageContaining("unknown feed line type");
    assertThatThrownBy(() -> FeedCodec.parse("{\"type\":\"heartbeat\",\"date\":\"yesterday\"}"))
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(
            () ->
                FeedCodec.parse(
                    "{\"type\":\"create\",\"date\":\"2026-11-22T10:00:00Z\",\"uuid\":\"x\"}"))
        .hasMessageContaining("\"vm\"");
    assertThatThrownBy(
            () ->
                FeedCodec.parse(
                    "{\"type\":\"heartbeat\",\"date\":\"2026-11-22T10:00:00Z\",\"rev\":-1}"))
        .hasMessageContaining("rev");
    assertThatThrownBy(
            () ->
                FeedCodec.parse(
                    "{\"type\":\"ready\",\"date\":\"2026-11-22T10:00:00Z\",\"uuid\":\"l\",\"vms\":\"{\"}"))
        .isInstanceOf(FeedFormatException.class)
        .hasMessageContaining("vms");
    assertThatThrownBy(() -> FeedCodec.readyLine("", List.of(), 0, "e", T, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
