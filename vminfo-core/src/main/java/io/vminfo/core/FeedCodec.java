package io.vminfo.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.internal.FeedLines;
import io.vminfo.core.internal.Json;
import io.vminfo.core.text.IsoMillis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Writes and parses the lines of the {@code /events} feed (DESIGN section 4, CONTRACT). Event lines
 * come ready-made from {@link VmEvent#line()}; this writes the others and parses all of them.
 */
public final class FeedCodec {
  /** Longest feed line the parser accepts (a ready line with 10,000 VMs is about 30 MiB). */
  public static final int MAX_LINE_BYTES = 256 * 1024 * 1024;

  private FeedCodec() {}

  /** The {@code ready} line: the snapshot as a double-encoded JSON array, at {@code rev}. */
  public static byte[] readyLine(
      String listenerId, Collection<Vm> vms, long rev, String epoch, Instant date, boolean resync) {
    List<byte[]> parts = new ArrayList<>(vms.size());
    for (Vm vm : vms) {
      parts.add(vm.sharedBytes());
    }
    return FeedLines.ready(
        requireText(listenerId, "listenerId"),
        parts,
        requireRev(rev),
        requireText(epoch, "epoch"),
        Objects.requireNonNull(date, "date"),
        resync);
  }

  /** The {@code resumed} line: events after {@code rev} follow. */
  public static byte[] resumedLine(String listenerId, long rev, String epoch, Instant date) {
    return FeedLines.resumed(
        requireText(listenerId, "listenerId"),
        requireRev(rev),
        requireText(epoch, "epoch"),
        Objects.requireNonNull(date, "date"));
  }

  /** The {@code heartbeat} line. */
  public static byte[] heartbeatLine(long rev, Instant date) {
    return FeedLines.heartbeat(requireRev(rev), Objects.requireNonNull(date, "date"));
  }

  /** Parses one line (with or without its trailing newline). */
  public static FeedMessage parse(String line) {
    return parse(line.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses one UTF-8 line (with or without its trailing newline). */
  public static FeedMessage parse(byte[] line) {
    if (line.length > MAX_LINE_BYTES) {
      throw new FeedFormatException("feed line of " + line.length + " bytes is over the limit");
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new FeedFormatException("feed line is not valid JSON: " + Json.describe(e), e);
    }
    if (node == null || !node.isObject()) {
      throw new FeedFormatException("feed line is not a JSON object");
    }
    String type = text(node, "type");
    Instant date = date(node);
    OptionalLong rev = rev(node);
    try {
      return switch (type) {
        case "ready" ->
            new FeedMessage.Ready(
                date,
                text(node, "uuid"),
                parseVms(text(node, "vms")),
                rev,
                optionalText(node, "epoch"),
                node.path("resync").asBoolean(false));
        case "resumed" ->
            new FeedMessage.Resumed(
                date, optionalText(node, "uuid").orElse(""), rev, optionalText(node, "epoch"));
        case "heartbeat" -> new FeedMessage.Heartbeat(date, rev);
        case "create", "modify", "delete" -> event(node, VmEventType.fromWireName(type), date, rev);
        default -> throw new FeedFormatException("unknown feed line type \"" + type + "\"");
      };
    } catch (IllegalArgumentException e) {
      throw new FeedFormatException("bad " + type + " line: " + e.getMessage(), e);
    }
  }

  private static FeedMessage.Event event(
      JsonNode node, VmEventType type, Instant date, OptionalLong rev) {
    Optional<Vm> vm = Optional.empty();
    JsonNode vmNode = node.get("vm");
    if (type != VmEventType.DELETE) {
      if (vmNode == null || !vmNode.isObject()) {
        throw new FeedFormatException(type.wireName() + " line without a \"vm\" object");
      }
      vm = Optional.of(Vm.of(vmNode));
    }
    List<Change> changes = new ArrayList<>();
    JsonNode changesNode = node.get("changes");
    if (changesNode != null && !changesNode.isNull()) {
      if (!changesNode.isArray()) {
        throw new FeedFormatException("\"changes\" must be an array");
      }
      for (JsonNode c : changesNode) {
        changes.add(Change.fromJson(c));
      }
    }
    return new FeedMessage.Event(
        type, date, text(node, "uuid"), optionalText(node, "zonename"), vm, changes, rev);
  }

  private static List<Vm> parseVms(String text) {
    JsonNode array;
    try {
      array = Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new FeedFormatException("ready \"vms\" is not a JSON array: " + Json.describe(e), e);
    }
    if (array == null || !array.isArray()) {
      throw new FeedFormatException("ready \"vms\" is not a JSON array");
    }
    List<Vm> vms = new ArrayList<>(array.size());
    for (JsonNode vm : array) {
      vms.add(Vm.of(vm));
    }
    return vms;
  }

  private static Instant date(JsonNode node) {
    String text = text(node, "date");
    try {
      return IsoMillis.parse(text);
    } catch (DateTimeParseException e) {
      throw new FeedFormatException("\"date\" is not an ISO-8601 time: " + text, e);
    }
  }

  private static OptionalLong rev(JsonNode node) {
    JsonNode rev = node.get("rev");
    if (rev == null || rev.isNull()) {
      return OptionalLong.empty();
    }
    if (!rev.canConvertToExactIntegral() || rev.longValue() < 0) {
      throw new FeedFormatException("\"rev\" must be a non-negative integer");
    }
    return OptionalLong.of(rev.longValue());
  }

  private static String text(JsonNode node, String key) {
    JsonNode value = node.get(key);
    if (value == null || !value.isTextual()) {
      throw new FeedFormatException("feed line without a string \"" + key + "\"");
    }
    return value.textValue();
  }

  private static Optional<String> optionalText(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value != null && value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
  }

  private static String requireText(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " must be a non-empty string");
    }
    return value;
  }

  private static long requireRev(long rev) {
    if (rev < 0) {
      throw new IllegalArgumentException("rev must be >= 0, got " + rev);
    }
    return rev;
  }
}
