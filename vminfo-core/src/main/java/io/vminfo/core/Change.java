package io.vminfo.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.internal.Json;
import io.vminfo.core.internal.PrettyPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One change between two JSON documents, as smartos-live's diff.js reports it (DESIGN section 3).
 *
 * <p>{@code added} carries only the new value, {@code removed} only the old one, {@code changed}
 * both; {@code ident} is set only inside an identity-matched array element. Values are private
 * copies; the accessors hand out copies too.
 */
public final class Change {
  private final List<PathSegment> path;
  private final String prettyPath;
  private final ChangeAction action;
  private final JsonNode oldValue;
  private final JsonNode newValue;
  private final JsonNode ident;

  private Change(
      List<PathSegment> path,
      ChangeAction action,
      JsonNode oldValue,
      JsonNode newValue,
      JsonNode ident,
      boolean copy) {
    this.path = List.copyOf(path);
    this.prettyPath = PrettyPath.of(this.path);
    this.action = Objects.requireNonNull(action, "action");
    switch (action) {
      case ADDED -> require(oldValue == null && newValue != null, "added has only a new value");
      case REMOVED ->
          require(oldValue != null && newValue == null, "removed has only an old value");
      case CHANGED -> require(oldValue != null && newValue != null, "changed has both values");
    }
    this.oldValue = oldValue == null || !copy ? oldValue : oldValue.deepCopy();
    this.newValue = newValue == null || !copy ? newValue : newValue.deepCopy();
    this.ident = ident == null || !copy ? ident : ident.deepCopy();
  }

  /** For the diff engine: {@code copy} false only for values from trees that never change. */
  static Change make(
      List<PathSegment> path,
      ChangeAction action,
      JsonNode oldValue,
      JsonNode newValue,
      JsonNode ident,
      boolean copy) {
    return new Change(path, action, oldValue, newValue, ident, copy);
  }

  public static Change added(List<PathSegment> path, JsonNode newValue, Optional<JsonNode> ident) {
    return new Change(path, ChangeAction.ADDED, null, newValue, ident.orElse(null), true);
  }

  public static Change removed(
      List<PathSegment> path, JsonNode oldValue, Optional<JsonNode> ident) {
    return new Change(path, ChangeAction.REMOVED, oldValue, null, ident.orElse(null), true);
  }

  public static Change changed(
      List<PathSegment> path, JsonNode oldValue, JsonNode newValue, Optional<JsonNode> ident) {
    return new Change(path, ChangeAction.CHANGED, oldValue, newValue, ident.orElse(null), true);
  }

  /** Parses one change object of the wire format. */
  public static Change fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("a change must be a JSON object");
    }
    JsonNode action = node.get("action");
    JsonNode path = node.get("path");
    if (action == null || !action.isTextual()) {
      throw new IllegalArgumentException("change without a string \"action\"");
    }
    if (path == null || !path.isArray()) {
      throw new IllegalArgumentException("change without a \"path\" array");
    }
    List<PathSegment> segments = new ArrayList<>(path.size());
    for (JsonNode seg : path) {
      if (seg.isNull()) {
        segments.add(PathSegment.ANY_ELEMENT);
      } else if (seg.isTextual()) {
        segments.add(PathSegment.key(seg.textValue()));
      } else {
        throw new IllegalArgumentException("change path segments are strings or null");
      }
    }
    return new Change(
        segments,
        ChangeAction.fromWireName(action.textValue()),
        node.get("oldValue"),
        node.get("newValue"),
        node.get("ident"),
        true);
  }

  public List<PathSegment> path() {
    return path;
  }

  /** The path as diff.js prints it, e.g. {@code nics.*.ip} or {@code customer_metadata[a.b]}. */
  public String prettyPath() {
    return prettyPath;
  }

  public ChangeAction action() {
    return action;
  }

  public Optional<JsonNode> oldValue() {
    return Optional.ofNullable(oldValue).map(JsonNode::deepCopy);
  }

  public Optional<JsonNode> newValue() {
    return Optional.ofNullable(newValue).map(JsonNode::deepCopy);
  }

  /** The identity value (e.g. the NIC's mac) of the array element this change happened in. */
  public Optional<JsonNode> ident() {
    return Optional.ofNullable(ident).map(JsonNode::deepCopy);
  }

  /** The wire form, keys in diff.js order; absent values are omitted, never null. */
  public ObjectNode toJson() {
    return wire(true);
  }

  /** The wire form sharing this change's value nodes, for serializing at once (no copies). */
  ObjectNode wire(boolean copy) {
    ObjectNode out = Json.NODES.objectNode();
    out.put("prettyPath", prettyPath);
    ArrayNode p = out.putArray("path");
    for (PathSegment seg : path) {
      if (seg.isAnyElement()) {
        p.addNull();
      } else {
        p.add(seg.name().orElseThrow());
      }
    }
    out.put("action", action.wireName());
    if (oldValue != null) {
      out.set("oldValue", copy ? oldValue.deepCopy() : oldValue);
    }
    if (newValue != null) {
      out.set("newValue", copy ? newValue.deepCopy() : newValue);
    }
    if (ident != null) {
      out.set("ident", copy ? ident.deepCopy() : ident);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Change c
        && path.equals(c.path)
        && action == c.action
        && Objects.equals(oldValue, c.oldValue)
        && Objects.equals(newValue, c.newValue)
        && Objects.equals(ident, c.ident);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, action, oldValue, newValue, ident);
  }

  @Override
  public String toString() {
    return Json.string(wire(false));
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
