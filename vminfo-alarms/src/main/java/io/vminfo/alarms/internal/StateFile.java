package io.vminfo.alarms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.alarms.Alarm;
import io.vminfo.alarms.Suppression;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code alarms-state.json}: the open alarms, the suppressions and the last state seen per VM, so a
 * restart neither forgets an open alarm nor notifies it again, and compares against what it knew.
 */
public final class StateFile {
  private static final Logger log = LoggerFactory.getLogger(StateFile.class);
  public static final String NAME = "alarms-state.json";

  public record Contents(
      Map<String, String> states, List<Alarm> alarms, List<Suppression> suppressions) {
    public Contents {
      states = Map.copyOf(states);
      alarms = List.copyOf(alarms);
      suppressions = List.copyOf(suppressions);
    }
  }

  private final Path file;

  public StateFile(Path dir) {
    this.file = dir.resolve(NAME);
  }

  public Path path() {
    return file;
  }

  /**
   * Reads the file; a missing one is empty. A corrupt one is moved aside (kept for a human) and the
   * service starts empty rather than not at all.
   */
  public Contents load() throws IOException {
    if (!Files.exists(file)) {
      return new Contents(Map.of(), List.of(), List.of());
    }
    try {
      JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(file));
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      Map<String, String> states = new LinkedHashMap<>();
      Codec.require(root, "states")
          .properties()
          .forEach(e -> states.put(e.getKey(), e.getValue().asText()));
      List<Alarm> alarms = new ArrayList<>();
      Codec.require(root, "alarms").forEach(a -> alarms.add(Codec.alarm(a)));
      List<Suppression> sups = new ArrayList<>();
      Codec.require(root, "suppressions").forEach(s -> sups.add(Codec.suppression(s)));
      return new Contents(states, alarms, sups);
    } catch (IOException | RuntimeException e) {
      Path aside = file.resolveSibling(NAME + ".corrupt-" + System.currentTimeMillis());
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      log.error(
          "alarm state file {} is unreadable ({}); moved to {} and starting with no open alarms"
              + " or suppressions",
          file,
          e.getMessage(),
          aside);
      return new Contents(Map.of(), List.of(), List.of());
    }
  }

  public void save(Contents c) throws IOException {
    ObjectNode root = Json.NODES.objectNode();
    root.put("version", 1);
    ObjectNode states = root.putObject("states");
    c.states().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> states.put(e.getKey(), e.getValue()));
    ArrayNode alarms = root.putArray("alarms");
    c.alarms().forEach(a -> alarms.add(Codec.alarm(a)));
    ArrayNode sups = root.putArray("suppressions");
    c.suppressions().forEach(s -> sups.add(Codec.suppression(s)));
    DurableFiles.replace(file, Json.bytes(root));
  }
}
