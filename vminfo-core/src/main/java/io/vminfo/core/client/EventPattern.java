package io.vminfo.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.VmEventType;
import io.vminfo.core.client.internal.EventJson;
import io.vminfo.core.client.internal.JsonSubset;
import io.vminfo.core.internal.Json;
import java.util.Objects;
import java.util.Optional;

/**
 * Which events a watch waits for, with vminfod's matching semantics: the pattern is a JSON object
 * and an event matches when every key of the pattern is in the event's wire object with the same
 * value, recursively ({@code {"uuid":U,"type":"modify","vm":{"state":"running"}}} matches a modify
 * of U whose VM is running, whatever else it holds). Immutable; each {@code with} method returns a
 * new pattern.
 */
public final class EventPattern {
  private final ObjectNode pattern;

  private EventPattern(ObjectNode pattern) {
    this.pattern = pattern;
  }

  /** Matches every event. */
  public static EventPattern any() {
    return new EventPattern(Json.NODES.objectNode());
  }

  /** A pattern from a JSON object, e.g. parsed from a tool's command line. */
  public static EventPattern of(JsonNode pattern) {
    Objects.requireNonNull(pattern, "pattern");
    if (!pattern.isObject()) {
      throw new IllegalArgumentException("an event pattern must be a JSON object");
    }
    return new EventPattern(((ObjectNode) pattern).deepCopy());
  }

  public EventPattern uuid(String uuid) {
    return with("uuid", Json.NODES.textNode(Objects.requireNonNull(uuid, "uuid")));
  }

  public EventPattern zonename(String zonename) {
    return with("zonename", Json.NODES.textNode(Objects.requireNonNull(zonename, "zonename")));
  }

  public EventPattern type(VmEventType type) {
    return with("type", Json.NODES.textNode(type.wireName()));
  }

  /** The event's VM must have {@code key} equal to {@code value} (a JSON value or subset). */
  public EventPattern vm(String key, JsonNode value) {
    Objects.requireNonNull(key, "key");
    ObjectNode copy = pattern.deepCopy();
    JsonNode existing = copy.get("vm");
    ObjectNode vm =
        existing != null && existing.isObject() ? (ObjectNode) existing : copy.putObject("vm");
    vm.set(key, value == null ? Json.NODES.nullNode() : value.deepCopy());
    return new EventPattern(copy);
  }

  public EventPattern vm(String key, String value) {
    return vm(key, Json.NODES.textNode(value));
  }

  public EventPattern vm(String key, long value) {
    return vm(key, Json.NODES.numberNode(value));
  }

  public EventPattern vm(String key, boolean value) {
    return vm(key, Json.NODES.booleanNode(value));
  }

  public boolean matches(FeedMessage.Event event) {
    return pattern.isEmpty() || JsonSubset.matches(pattern, EventJson.of(event));
  }

  /** The uuid the pattern requires, so a watch can ask the agent to filter. */
  public Optional<String> requiredUuid() {
    JsonNode u = pattern.get("uuid");
    return u != null && u.isTextual() ? Optional.of(u.textValue()) : Optional.empty();
  }

  /** The event type the pattern requires, so a watch can ask the agent to filter. */
  public Optional<VmEventType> requiredType() {
    JsonNode t = pattern.get("type");
    if (t == null || !t.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(VmEventType.fromWireName(t.textValue()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A copy of the pattern object. */
  public ObjectNode toJson() {
    return pattern.deepCopy();
  }

  private EventPattern with(String key, JsonNode value) {
    ObjectNode copy = pattern.deepCopy();
    copy.set(key, value);
    return new EventPattern(copy);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventPattern p && p.pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return Json.string(pattern);
  }
}
