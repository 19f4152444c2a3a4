package io.vminfo.alarms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.alarms.Alarm;
import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.Rule;
import io.vminfo.alarms.Suppression;
import io.vminfo.core.internal.Json;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** JSON forms of the alarm values: the state file, the outbox, the API and the webhook body. */
public final class Codec {
  private Codec() {}

  public static ObjectNode alarm(Alarm a) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("id", a.id());
    o.put("vm_uuid", a.vmUuid());
    o.put("rule", a.rule().id());
    o.put("opened_at", a.openedAt().toString());
    o.put("detail", a.detail());
    return o;
  }

  public static Alarm alarm(JsonNode o) {
    return new Alarm(
        text(o, "id"),
        text(o, "vm_uuid"),
        Rule.fromId(text(o, "rule")),
        Instant.parse(text(o, "opened_at")),
        text(o, "detail"));
  }

  public static ObjectNode notice(AlarmNotice n) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("delivery_id", n.deliveryId());
    o.put("kind", n.kind().wireName());
    o.set("alarm", alarm(n.alarm()));
    o.put("at", n.at().toString());
    o.put("reason", n.reason());
    return o;
  }

  public static AlarmNotice notice(JsonNode o) {
    return new AlarmNotice(
        text(o, "delivery_id"),
        AlarmNotice.Kind.fromWireName(text(o, "kind")),
        alarm(require(o, "alarm")),
        Instant.parse(text(o, "at")),
        text(o, "reason"));
  }

  public static ObjectNode suppression(Suppression s) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("id", s.id());
    ArrayNode vms = o.putArray("vms");
    s.vms().stream().sorted().forEach(vms::add);
    ArrayNode rules = o.putArray("rules");
    s.rules().stream().sorted().forEach(r -> rules.add(r.id()));
    o.put("created_at", s.createdAt().toString());
    if (s.until().isPresent()) {
      o.put("until", s.until().get().toString());
    } else {
      o.putNull("until");
    }
    o.put("reason", s.reason());
    return o;
  }

  public static Suppression suppression(JsonNode o) {
    Set<String> vms = new LinkedHashSet<>();
    require(o, "vms").forEach(v -> vms.add(v.asText()));
    Set<Rule> rules = EnumSet.noneOf(Rule.class);
    require(o, "rules").forEach(r -> rules.add(Rule.fromId(r.asText())));
    JsonNode until = o.get("until");
    return new Suppression(
        text(o, "id"),
        vms,
        rules,
        Instant.parse(text(o, "created_at")),
        until == null || until.isNull()
            ? Optional.empty()
            : Optional.of(Instant.parse(until.asText())),
        text(o, "reason"));
  }

  static JsonNode require(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return v;
  }

  static String text(JsonNode o, String field) {
    JsonNode v = require(o, field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' must be a string");
    }
    return v.asText();
  }
}
