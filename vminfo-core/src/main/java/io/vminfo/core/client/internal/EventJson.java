package io.vminfo.core.client.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Change;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.internal.Json;
import io.vminfo.core.text.IsoMillis;

/** The wire object of a parsed event, which watch patterns are matched against. */
public final class EventJson {
  private EventJson() {}

  public static ObjectNode of(FeedMessage.Event event) {
    ObjectNode out = Json.NODES.objectNode();
    out.put("type", event.type().wireName());
    out.put("date", IsoMillis.format(event.date()));
    event.zonename().ifPresent(z -> out.put("zonename", z));
    out.put("uuid", event.uuid());
    event.vm().ifPresent(vm -> out.set("vm", vm.toJson()));
    if (!event.changes().isEmpty()) {
      ArrayNode changes = out.putArray("changes");
      for (Change c : event.changes()) {
        changes.add(c.toJson());
      }
    }
    event.rev().ifPresent(r -> out.put("rev", r));
    return out;
  }
}
