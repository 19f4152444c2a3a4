package io.vminfo.sysevent.internal.smartos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.sysevent.internal.host.JsonFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Parsed {@code zoneadm list -pc} output: {@code
 * zoneid:zonename:state:zonepath:uuid:brand:ip-type:debugid}, one line per zone ({@code zoneid} is
 * {@code -} when not running). The global zone is left out.
 */
public record ZoneadmList(Map<String, Zone> byZonename) {
  public ZoneadmList {
    byZonename = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byZonename));
  }

  /** One zone's runtime record. */
  public record Zone(
      OptionalLong zoneid,
      String zonename,
      String state,
      String zonepath,
      String uuid,
      String brand,
      String ipType,
      OptionalLong zonedid) {

    /** The record as vmload-zoneadm builds it. */
    public ObjectNode toJson() {
      ObjectNode o = JsonFiles.NODES.objectNode();
      if (zonedid.isPresent()) {
        o.set("zonedid", JsonFiles.number(zonedid.getAsLong()));
      }
      if (zoneid.isPresent()) {
        o.set("zoneid", JsonFiles.number(zoneid.getAsLong()));
      } else {
        o.putNull("zoneid");
      }
      o.put("zonename", zonename);
      o.put("state", state);
      o.put("zonepath", zonepath);
      o.put("uuid", uuid);
      o.put("brand", brand);
      o.put("ip_type", ipType);
      return o;
    }
  }

  public static ZoneadmList parse(String output) {
    Map<String, Zone> zones = new LinkedHashMap<>();
    for (String raw : output.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      List<String> f = ColonFields.split(line);
      if (f.size() < 7 || f.get(1).equals("global")) {
        continue;
      }
      Zone z =
          new Zone(
              optionalNumber(f.get(0)),
              f.get(1),
              f.get(2),
              f.get(3),
              f.get(4),
              f.get(5),
              f.get(6),
              f.size() > 7 ? optionalNumber(f.get(7)) : OptionalLong.empty());
      zones.put(z.zonename(), z);
    }
    return new ZoneadmList(zones);
  }

  public Optional<Zone> get(String zonename) {
    return Optional.ofNullable(byZonename.get(zonename));
  }

  /** vmload's map keyed by uuid. */
  public ObjectNode toJsonByUuid() {
    ObjectNode o = JsonFiles.NODES.objectNode();
    byZonename.values().forEach(z -> o.set(z.uuid(), z.toJson()));
    return o;
  }

  private static OptionalLong optionalNumber(String s) {
    try {
      return s.isEmpty() || s.equals("-")
          ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
