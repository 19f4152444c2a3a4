package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vminfo.alarms.Alarm;
import io.vminfo.alarms.AlarmService;
import io.vminfo.alarms.AlarmStatus;
import io.vminfo.alarms.Suppression;
import io.vminfo.core.internal.Json;

/**
 * The read-only alarm routes: {@code GET /alarms} (open alarms and active suppressions) and
 * {@code GET /alarms/suppressions}. Writes (suppress, lift) are not served yet.
 */
public final class AlarmsApi {
  private final AlarmService alarms;

  public AlarmsApi(AlarmService alarms) {
    this.alarms = alarms;
  }

  public FullHttpResponse alarms() {
    ObjectNode o = Json.NODES.objectNode();
    ArrayNode a = o.putArray("alarms");
    for (Alarm al : alarms.openAlarms()) {
      a.add(alarm(al));
    }
    o.set("suppressions", suppressionArray());
    return Responses.json(HttpResponseStatus.OK, o);
  }

  public FullHttpResponse suppressions() {
    ObjectNode o = Json.NODES.objectNode();
    o.set("suppressions", suppressionArray());
    return Responses.json(HttpResponseStatus.OK, o);
  }

  JsonNode status() {
    AlarmStatus s = alarms.status();
    ObjectNode o = Json.NODES.objectNode();
    o.put("open", s.openAlarms());
    o.put("suppressions", s.suppressions());
    o.put("pendingNotices", s.pendingNotices());
    o.put("delivered", s.delivered());
    o.put("failedAttempts", s.failedAttempts());
    o.put("suppressedOpens", s.suppressedOpens());
    return o;
  }

  private ArrayNode suppressionArray() {
    ArrayNode a = Json.NODES.arrayNode();
    for (Suppression s : alarms.suppressions()) {
      ObjectNode o = a.addObject();
      o.put("id", s.id());
      ArrayNode vms = o.putArray("vms");
      s.vms().stream().sorted().forEach(vms::add);
      ArrayNode rules = o.putArray("rules");
      s.rules().stream().map(r -> r.id()).sorted().forEach(rules::add);
      o.put("created_at", s.createdAt().toString());
      if (s.until().isPresent()) {
        o.put("until", s.until().get().toString());
      } else {
        o.putNull("until");
      }
      o.put("reason", s.reason());
    }
    return a;
  }

  private static ObjectNode alarm(Alarm a) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("id", a.id());
    o.put("vm_uuid", a.vmUuid());
    o.put("rule", a.rule().id());
    o.put("opened_at", a.openedAt().toString());
    o.put("detail", a.detail());
    return o;
  }
}
