package io.vminfo.sysevent.internal.smartos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /etc/zones/index}: one {@code zonename:state:zonepath:uuid} line per zone ({@code #}
 * comments). The global zone is left out.
 */
public record ZoneIndex(Map<String, Entry> zones, List<String> badLines) {
  public ZoneIndex {
    zones = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(zones));
    badLines = List.copyOf(badLines);
  }

  /** One zone's line. */
  public record Entry(String zonename, String state, String zonepath, Optional<String> uuid) {}

  public static ZoneIndex parse(String text) {
    Map<String, Entry> zones = new LinkedHashMap<>();
    List<String> bad = new java.util.ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> f = ColonFields.split(line);
      if (f.size() < 3 || f.get(0).isEmpty()) {
        bad.add(line);
        continue;
      }
      if (f.get(0).equals("global")) {
        continue;
      }
      Optional<String> uuid =
          f.size() > 3 && !f.get(3).isEmpty() ? Optional.of(f.get(3)) : Optional.empty();
      zones.put(f.get(0), new Entry(f.get(0), f.get(1), f.get(2), uuid));
    }
    return new ZoneIndex(zones, bad);
  }

  public Optional<Entry> get(String zonename) {
    return Optional.ofNullable(zones.get(zonename));
  }
}
