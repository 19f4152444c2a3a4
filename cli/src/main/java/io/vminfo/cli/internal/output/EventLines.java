package io.vminfo.cli.internal.output;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Change;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.Vm;
import io.vminfo.core.text.IsoMillis;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Feed events as {@code vminfo events} prints them. Text is vminfod's (RFD 39) form, one line per
 * change, values as JSON with {@code null} for the side a change does not have:
 *
 * <pre>
 * [2016-05-31T16:29:09.477Z] 5595d88c-6e4d-4bda-b58e-97dd02e32bec create
 * [2016-05-31T16:29:09.634Z] 5595d88c-6e4d-4bda-b58e-97dd02e32bec modify: zone_state changed :: "configured" -> "incomplete"
 * [2016-05-31T16:29:15.221Z] 5595d88c-6e4d-4bda-b58e-97dd02e32bec modify: transition_to removed :: "running" -> null
 * </pre>
 *
 * JSON is the feed's own line (DESIGN section 4), one per event.
 */
public final class EventLines {
  private EventLines() {}

  /** The text lines of one event: one per change, or one for create, delete, empty modify. */
  public static List<String> text(FeedMessage.Event e) {
    String base = "[" + date(e.date()) + "] " + Cells.escape(e.uuid()) + " " + e.type().wireName();
    if (e.changes().isEmpty()) {
      return List.of(base);
    }
    List<String> out = new ArrayList<>(e.changes().size());
    for (Change c : e.changes()) {
      out.add(base + ": " + change(c));
    }
    return out;
  }

  /** {@code prettyPath action :: old -> new}. */
  public static String change(Change c) {
    return Cells.escape(c.prettyPath())
        + " "
        + c.action().wireName()
        + " :: "
        + c.oldValue().map(JsonText::compact).orElse("null")
        + " -> "
        + c.newValue().map(JsonText::compact).orElse("null");
  }

  /** {@code [date] ready (N VMs, rev R)}, for {@code -r}. */
  public static String readyText(FeedMessage.Ready r) {
    StringBuilder sb =
        new StringBuilder(
            "["
                + date(r.date())
                + "] ready ("
                + r.vms().size()
                + (r.vms().size() == 1 ? " VM" : " VMs"));
    r.rev().ifPresent(rev -> sb.append(", rev ").append(rev));
    if (r.resync()) {
      sb.append(", resync");
    }
    return sb.append(')').toString();
  }

  /** The event as its feed line; {@code resync} marks one made up from a fresh snapshot. */
  public static String json(FeedMessage.Event e, boolean resync) {
    ObjectNode o = CliJson.NODES.objectNode();
    o.put("type", e.type().wireName());
    o.put("date", date(e.date()));
    e.zonename().ifPresent(z -> o.put("zonename", z));
    o.put("uuid", e.uuid());
    e.vm().ifPresent(vm -> o.set("vm", vm.toJson()));
    if (!e.changes().isEmpty()) {
      ArrayNode changes = o.putArray("changes");
      e.changes().forEach(c -> changes.add(c.toJson()));
    }
    e.rev().ifPresent(rev -> o.put("rev", rev));
    if (resync) {
      o.put("resync", true);
    }
    return JsonText.compact(o);
  }

  /** The ready line as the feed sends it ({@code vms} double-encoded, as vminfod). */
  public static String readyJson(FeedMessage.Ready r) {
    ObjectNode o = CliJson.NODES.objectNode();
    o.put("type", "ready");
    o.put("date", date(r.date()));
    o.put("uuid", r.listenerId());
    ArrayNode vms = CliJson.NODES.arrayNode();
    for (Vm vm : r.vms()) {
      vms.add(vm.toJson());
    }
    o.put("vms", JsonText.compact(vms));
    r.rev().ifPresent(rev -> o.put("rev", rev));
    r.epoch().ifPresent(ep -> o.put("epoch", ep));
    if (r.resync()) {
      o.put("resync", true);
    }
    return JsonText.compact(o);
  }

  public static String date(Instant instant) {
    return IsoMillis.format(instant);
  }
}
