package io.vminfo.cli.internal.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's {@code /status} for people, laid out like vminfod's {@code vminfo status}: a summary
 * by default, every section with {@code full}. Fields an agent does not send (vminfod lacks the
 * vminfo extensions) are left out.
 */
public final class StatusText {
  private StatusText() {}

  public static List<String> render(JsonNode s, boolean full) {
    List<String> out = new ArrayList<>();
    out.add("state: " + text(s, "state") + " (" + text(s, "status") + ")");
    out.add("pid: " + text(s, "pid"));
    out.add("uptime: " + text(s, "uptime"));
    JsonNode rss = s.path("memory").path("rss");
    if (rss.isNumber()) {
      out.add(String.format(Locale.ROOT, "rss: %.2f MiB", rss.asDouble() / (1024 * 1024)));
    }
    if (s.has("backend")) {
      out.add("backend: " + text(s, "backend"));
    }
    if (s.has("serverUuid")) {
      out.add(
          "server: "
              + text(s, "serverUuid")
              + (s.has("datacenterName") ? " (datacenter " + text(s, "datacenterName") + ")" : ""));
    }
    StringBuilder vms = new StringBuilder("numVms: " + text(s, "numVms"));
    if (s.has("rev")) {
      vms.append(" (rev ").append(text(s, "rev"));
      if (s.has("epoch")) {
        vms.append(", epoch ").append(text(s, "epoch"));
      }
      vms.append(')');
    }
    out.add(vms.toString());

    JsonNode q = s.path("queue");
    if (q.isObject()) {
      out.add("queue");
      out.add("  paused: " + text(q, "paused"));
      out.add("  idle: " + text(q, "idle"));
      if (q.has("depth")) {
        out.add("  depth: " + text(q, "depth"));
      }
      JsonNode running = q.path("running");
      if (running.isObject()) {
        out.add("  running: " + text(running, "key") + " (for " + text(running, "for") + ")");
      }
      if (q.has("completed")) {
        out.add(
            "  tasks: "
                + text(q, "completed")
                + " completed, "
                + text(q, "failed")
                + " failed, "
                + text(q, "abandoned")
                + " abandoned, "
                + text(q, "coalesced")
                + " coalesced");
      }
      JsonNode pending = q.path("pending");
      if (full && pending.isArray() && !pending.isEmpty()) {
        out.add("  pending: (" + pending.size() + " items)");
        for (JsonNode p : pending) {
          out.add("    - " + Cells.escape(p.asText()));
        }
      }
    }

    out.add("fullRefresh");
    out.add("  lastRefresh: " + text(s, "lastRefresh"));
    JsonNode errors = s.path("refreshErrors");
    if (errors.isArray()) {
      out.add("  refreshErrors: (" + errors.size() + " items)");
      if (full) {
        for (JsonNode e : errors) {
          out.add("    - " + Cells.escape(e.path("err").asText()) + " (" + text(e, "ago") + ")");
        }
      }
    }
    JsonNode vmErrors = s.path("vmErrors");
    if (vmErrors.isArray()) {
      out.add("vmErrors: (" + vmErrors.size() + " items)");
      for (JsonNode e : vmErrors) {
        StringBuilder line = new StringBuilder("  - ").append(Cells.escape(e.path("key").asText()));
        if (e.has("uuid")) {
          line.append(" (").append(text(e, "uuid")).append(')');
        }
        line.append(": ").append(Cells.escape(e.path("message").asText()));
        out.add(line.toString());
      }
    }

    JsonNode listeners = s.path("eventsListeners");
    if (listeners.isObject()) {
      out.add("eventsListeners: (" + listeners.size() + " listeners)");
      if (full) {
        for (Map.Entry<String, JsonNode> e : listeners.properties()) {
          JsonNode l = e.getValue();
          out.add(
              "  - "
                  + Cells.escape(l.path("userAgent").asText("-"))
                  + (l.has("remote") ? " from " + text(l, "remote") : ""));
          StringBuilder line =
              new StringBuilder("    " + e.getKey() + " created " + text(l, "createdAgo") + " ago");
          if (l.has("deliveredEvents")) {
            line.append(", ")
                .append(text(l, "deliveredEvents"))
                .append(" delivered, ")
                .append(text(l, "queuedEvents"))
                .append(" queued");
          }
          out.add(line.toString());
        }
      }
    }
    JsonNode feed = s.path("feed");
    if (full && feed.isObject()) {
      out.add("feed");
      tree(feed, "  ", out);
    }
    JsonNode usage = s.path("usage");
    if (usage.isObject()) {
      if (full) {
        out.add("usage");
        tree(usage, "  ", out);
      } else {
        out.add(
            "usage: "
                + text(usage, "state")
                + (usage.has("message")
                    ? " (" + Cells.escape(usage.path("message").asText()) + ")"
                    : ""));
      }
    }
    return out;
  }

  /** Nested objects as indented {@code key: value} lines, arrays as {@code - item} lines. */
  static void tree(JsonNode node, String indent, List<String> out) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      JsonNode v = e.getValue();
      if (v.isObject() && !v.isEmpty()) {
        out.add(indent + e.getKey());
        tree(v, indent + "  ", out);
      } else if (v.isArray() && !v.isEmpty()) {
        out.add(indent + e.getKey() + ": (" + v.size() + " items)");
        for (JsonNode item : v) {
          out.add(indent + "  - " + Cells.of(item));
        }
      } else {
        out.add(indent + e.getKey() + ": " + Cells.of(v));
      }
    }
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? "-" : Cells.of(v);
  }
}
