package io.vminfo.core.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The agent's {@code GET /status}: the fields clients commonly need, typed, and the whole document.
 * {@code rev}, {@code epoch} and {@code backend} are vminfo extensions (empty against vminfod).
 */
public final class AgentStatus {
  private final JsonNode json;

  private AgentStatus(JsonNode json) {
    this.json = json;
  }

  /** Wraps a parsed status document (copied). */
  public static AgentStatus of(JsonNode json) {
    Objects.requireNonNull(json, "json");
    if (!json.isObject()) {
      throw new IllegalArgumentException("status must be a JSON object");
    }
    return new AgentStatus(json.deepCopy());
  }

  public OptionalLong pid() {
    return integer("pid");
  }

  /** {@code running} once the initial load finished. */
  public Optional<String> state() {
    return text("state");
  }

  public Optional<String> status() {
    return text("status");
  }

  public OptionalLong numVms() {
    return integer("numVms");
  }

  /** The store revision (vminfo extension). */
  public OptionalLong rev() {
    return integer("rev");
  }

  /** The agent run's epoch (vminfo extension); resuming across epochs needs a resync. */
  public Optional<String> epoch() {
    return text("epoch");
  }

  /** The host backend, e.g. {@code smartos} or {@code libvirt} (vminfo extension). */
  public Optional<String> backend() {
    return text("backend");
  }

  /** A copy of the whole document. */
  public JsonNode json() {
    return json.deepCopy();
  }

  @Override
  public String toString() {
    return json.toString();
  }

  private Optional<String> text(String key) {
    JsonNode v = json.get(key);
    return v != null && v.isTextual() ? Optional.of(v.textValue()) : Optional.empty();
  }

  private OptionalLong integer(String key) {
    JsonNode v = json.get(key);
    return v != null && v.canConvertToExactIntegral() && v.isNumber()
        ? OptionalLong.of(v.longValue())
        : OptionalLong.empty();
  }
}
