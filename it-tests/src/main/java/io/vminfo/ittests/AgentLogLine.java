package io.vminfo.ittests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import java.util.Optional;

/**
 * One line the agent wrote: on stdout a JSON object ({@code time}, {@code level}, {@code logger},
 * {@code thread}, {@code msg}, optional {@code error}), on stderr whatever the JVM printed. {@link
 * #json()} is empty for a line that is not a JSON object (which on stdout is itself a bug).
 */
public record AgentLogLine(Stream stream, String raw, Optional<JsonNode> json) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Which of the process's output streams the line came from. */
  public enum Stream {
    STDOUT,
    STDERR
  }

  public AgentLogLine {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(raw, "raw");
    Objects.requireNonNull(json, "json");
  }

  /** Parses one output line; a line that is not a JSON object keeps only its raw text. */
  public static AgentLogLine parse(Stream stream, String raw) {
    Optional<JsonNode> json = Optional.empty();
    if (raw.startsWith("{")) {
      try {
        JsonNode n = JSON.readTree(raw);
        if (n != null && n.isObject()) {
          json = Optional.of(n);
        }
      } catch (java.io.IOException e) {
        // not JSON: kept as raw text
      }
    }
    return new AgentLogLine(stream, raw, json);
  }

  /** {@code INFO}, {@code WARN}, ... or empty when the line is not a JSON log record. */
  public Optional<String> level() {
    return field("level");
  }

  public Optional<String> logger() {
    return field("logger");
  }

  /** The log message ({@code msg}); for a non-JSON line, the raw text. */
  public String message() {
    return json.isPresent() ? field("msg").orElse("") : raw;
  }

  public boolean isError() {
    return level().filter("ERROR"::equals).isPresent();
  }

  public boolean isWarning() {
    return level().filter("WARN"::equals).isPresent();
  }

  private Optional<String> field(String name) {
    return json.map(j -> j.get(name)).filter(JsonNode::isTextual).map(JsonNode::textValue);
  }

  @Override
  public String toString() {
    return raw;
  }
}
