package io.vminfo.sysevent.internal.smartos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.host.JsonFiles;
import io.vminfo.sysevent.internal.xml.XmlElement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a zonecfg XML document ({@code /etc/zones/<zonename>.xml}) into the XML-derived part of a
 * vmadm VM object, as smartos-live's vmload-xml does: renamed keys, typed values (numbers,
 * booleans, lists, base64 {@code alias}), rctls in bytes converted to MiB, nics sorted by
 * {@code net<N>}, disks by {@code disk<N>}, transition attributes spilled into {@code state},
 * {@code transition_to} and {@code transition_expire}.
 */
public final class ZoneXmlMapper {
  private static final Set<String> HVM_BRANDS = Set.of("kvm", "bhyve");

  private static final Map<String, String> ZONE_KEYS = Map.of(
      "name", "zonename", "autoboot", "autoboot", "brand", "brand", "limitpriv", "limit_priv",
      "fs-allowed", "fs_allowed");

  private static final Map<String, String> ATTR_RENAMES = Map.of(
      "vm-version", "v", "dataset-uuid", "image_uuid");
  private static final Set<String> ATTR_BOOLEANS = Set.of(
      "archive-on-delete", "do-not-inventory", "firewall-enabled", "maintain-resolvers",
      "restart-init", "vm-autoboot", "docker", "never-booted", "failed", "indestructible-zoneroot",
      "indestructible-delegated", "nowait");
  private static final Set<String> ATTR_NUMBERS = Set.of(
      "vm-version", "ram", "vcpus", "tmpfs", "vnc-port", "spice-port", "virtio-txburst",
      "virtio-txtimer", "flexible-disk-size", "free-space");
  private static final Set<String> ATTR_LISTS = Set.of("resolvers");
  private static final Set<String> ATTR_BASE64 = Set.of("alias");

  private static final Set<String> RCTL_MIB = Set.of(
      "zone.max-physical-memory", "zone.max-locked-memory", "zone.max-swap", "zone.max-shm-memory");

  private static final Map<String, String> NETWORK_KEYS = Map.of(
      "physical", "interface", "mac-addr", "mac", "vlan-id", "vlan_id", "global-nic", "nic_tag");
  private static final Set<String> NIC_LISTS = Set.of("ips", "gateways", "allowed_ips",
      "allowed_dhcp_cids");
  private static final Set<String> NIC_NUMBER_LISTS = Set.of("blocked_outgoing_ports");
  private static final Set<String> NIC_BOOLEANS = Set.of("primary", "dhcp_server",
      "allow_dhcp_spoofing", "allow_ip_spoofing", "allow_mac_spoofing", "allow_restricted_traffic",
      "allow_unfiltered_promisc", "allow_dhcp_v6");
  private static final Set<String> NIC_NUMBERS = Set.of("vrrp_vrid", "mtu", "vlan_id");

  private static final Set<String> DISK_BOOLEANS = Set.of("boot", "nocreate", "notrim");
  private static final Set<String> DISK_NUMBERS = Set.of("image_size", "refreservation");
  // vmload ignores the XML disk size: a disk's size comes from its zvol's volsize.
  private static final Set<String> DISK_IGNORED = Set.of("size");

  private static final Pattern NET_INDEX = Pattern.compile("^net(\\d+)$");
  private static final Pattern DISK_INDEX = Pattern.compile("disk(\\d+)$");

  private ZoneXmlMapper() {}

  /** Maps a parsed {@code <zone>} document; {@code what} names the file in errors. */
  public static ObjectNode map(XmlElement zone, String what) throws HostFileException {
    if (!zone.name().equals("zone")) {
      throw new HostFileException("PARSE_ERROR", what + ": root element is <" + zone.name()
          + ">, not <zone>");
    }
    ObjectNode obj = JsonFiles.NODES.objectNode();
    for (Map.Entry<String, String> a : zone.attributes().entrySet()) {
      String key = ZONE_KEYS.get(a.getKey());
      if (key != null) {
        obj.set(key, key.equals("autoboot") ? bool(a.getValue()) : text(a.getValue()));
      }
    }
    if (!obj.has("brand") || !obj.get("brand").isTextual()) {
      throw new HostFileException("PARSE_ERROR", what + ": zone has no brand");
    }
    for (XmlElement child : zone.children()) {
      switch (child.name()) {
        case "attr" -> attr(obj, child);
        case "rctl" -> rctl(obj, child);
        case "network" -> array(obj, "nics").add(network(child));
        case "device" -> {
          if (!obj.has("device")) {
            obj.putNull("device"); // vmload leaves this marker; the final VM drops it
          }
          array(obj, "disks").add(device(child));
        }
        case "dataset" -> child.attr("name").ifPresent(n -> array(obj, "datasets").add(n));
        case "filesystem" -> array(obj, "filesystems").add(filesystem(child));
        default -> {
          // zonecfg elements vmload does not map (e.g. <package>, <fs> of other brands)
        }
      }
    }
    String brand = obj.get("brand").textValue();
    if (!obj.has("nics")) {
      obj.putArray("nics");
    }
    if (!obj.has("disks") && HVM_BRANDS.contains(brand)) {
      obj.putArray("disks");
    }
    if (obj.has("vm_autoboot")) {
      obj.set("autoboot", obj.remove("vm_autoboot"));
    }
    JsonNode transition = obj.get("transition");
    if (transition != null && transition.isTextual()) {
      String[] fields = transition.textValue().stripTrailing().split(":", -1);
      if (fields.length == 3) {
        obj.remove("transition");
        obj.put("state", fields[0]);
        obj.put("transition_to", fields[1]);
        obj.set("transition_expire", number(fields[2]));
      }
    }
    sortByIndex((ArrayNode) obj.get("nics"), "interface", NET_INDEX);
    if (obj.has("disks")) {
      sortByIndex((ArrayNode) obj.get("disks"), "path", DISK_INDEX);
    }
    return obj;
  }

  private static void attr(ObjectNode obj, XmlElement attr) {
    String name = attr.attr("name").orElse(null);
    String value = attr.attr("value").orElse(null);
    if (name == null || value == null) {
      return;
    }
    String key = ATTR_RENAMES.getOrDefault(name, name.replace('-', '_'));
    JsonNode v;
    if (ATTR_BOOLEANS.contains(name)) {
      v = bool(value);
    } else if (ATTR_NUMBERS.contains(name)) {
      v = number(value);
    } else if (ATTR_LISTS.contains(name)) {
      v = list(value, false);
    } else if (ATTR_BASE64.contains(name)) {
      v = text(unbase64(value));
    } else {
      v = text(value);
    }
    obj.set(key, v);
  }

  private static void rctl(ObjectNode obj, XmlElement rctl) {
    String name = rctl.attr("name").orElse("");
    if (!name.startsWith("zone.")) {
      return;
    }
    for (XmlElement value : rctl.children("rctl-value")) {
      String limit = value.attr("limit").orElse(null);
      if (limit == null) {
        continue;
      }
      String key = name.substring("zone.".length()).replace('-', '_');
      if (RCTL_MIB.contains(name)) {
        obj.set(key, mebibytes(limit));
      } else {
        obj.set(key, number(limit));
      }
    }
  }

  private static ObjectNode network(XmlElement net) {
    ObjectNode nic = JsonFiles.NODES.objectNode();
    for (Map.Entry<String, String> a : net.attributes().entrySet()) {
      String key = NETWORK_KEYS.get(a.getKey());
      if (key != null) {
        nic.set(key, NIC_NUMBERS.contains(key) ? number(a.getValue()) : text(a.getValue()));
      }
    }
    for (XmlElement na : net.children("net-attr")) {
      String name = na.attr("name").orElse(null);
      String value = na.attr("value").orElse(null);
      if (name == null || value == null) {
        continue;
      }
      String key = name.replace('-', '_');
      JsonNode v;
      if (NIC_LISTS.contains(key)) {
        v = list(value, false);
      } else if (NIC_NUMBER_LISTS.contains(key)) {
        v = list(value, true);
      } else if (NIC_BOOLEANS.contains(key)) {
        v = bool(value);
      } else if (NIC_NUMBERS.contains(key)) {
        v = number(value);
      } else {
        v = text(value);
      }
      nic.set(key, v);
    }
    return nic;
  }

  private static ObjectNode device(XmlElement dev) {
    ObjectNode disk = JsonFiles.NODES.objectNode();
    dev.attr("match").ifPresent(m -> disk.put("path", m));
    for (XmlElement na : dev.children("net-attr")) {
      String name = na.attr("name").orElse(null);
      String value = na.attr("value").orElse(null);
      if (name == null || value == null) {
        continue;
      }
      String key = name.replace('-', '_');
      if (DISK_IGNORED.contains(key)) {
        continue;
      }
      disk.set(key, DISK_BOOLEANS.contains(key) ? bool(value)
          : DISK_NUMBERS.contains(key) ? number(value) : text(value));
    }
    return disk;
  }

  private static ObjectNode filesystem(XmlElement fs) {
    ObjectNode out = JsonFiles.NODES.objectNode();
    fs.attr("special").ifPresent(v -> out.put("source", v));
    fs.attr("raw").ifPresent(v -> out.put("raw", v));
    fs.attr("directory").ifPresent(v -> out.put("target", v));
    fs.attr("type").ifPresent(v -> out.put("type", v));
    List<XmlElement> options = fs.children("fsoption");
    if (!options.isEmpty()) {
      ArrayNode arr = out.putArray("options");
      options.forEach(o -> o.attr("name").ifPresent(arr::add));
    }
    return out;
  }

  private static ArrayNode array(ObjectNode obj, String key) {
    JsonNode existing = obj.get(key);
    if (existing instanceof ArrayNode a) {
      return a;
    }
    return obj.putArray(key);
  }

  private static void sortByIndex(ArrayNode arr, String field, Pattern pattern) {
    List<JsonNode> items = new ArrayList<>();
    arr.forEach(items::add);
    // List.sort is stable, like V8's: elements without an index keep their order (index 0).
    items.sort(Comparator.comparingLong(n -> index(n.path(field).asText(""), pattern)));
    arr.removeAll();
    items.forEach(arr::add);
  }

  private static long index(String value, Pattern pattern) {
    Matcher m = pattern.matcher(value);
    if (m.find()) {
      try {
        return Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  static JsonNode text(String value) {
    return JsonFiles.NODES.textNode(value);
  }

  static JsonNode bool(String value) {
    return JsonFiles.NODES.booleanNode("true".equals(value));
  }

  /** A JSON number like JavaScript's Number(): integral when it is, else decimal; else the text. */
  static JsonNode number(String value) {
    String v = value.trim();
    try {
      return JsonFiles.number(Long.parseLong(v));
    } catch (NumberFormatException e) {
      try {
        double d = Double.parseDouble(v);
        if (!Double.isNaN(d) && !Double.isInfinite(d)) {
          return JsonFiles.NODES.numberNode(d);
        }
      } catch (NumberFormatException ignored) {
        // not a number: keep the raw text so nothing is lost
      }
      return JsonFiles.NODES.textNode(value);
    }
  }

  static JsonNode mebibytes(String bytes) {
    try {
      long b = Long.parseLong(bytes.trim());
      if (b % (1024 * 1024) == 0) {
        return JsonFiles.number(b / (1024 * 1024));
      }
      return JsonFiles.NODES.numberNode(b / (1024.0 * 1024.0));
    } catch (NumberFormatException e) {
      return JsonFiles.NODES.textNode(bytes);
    }
  }

  private static ArrayNode list(String value, boolean numbers) {
    ArrayNode arr = JsonFiles.NODES.arrayNode();
    if (value.isEmpty()) {
      return arr;
    }
    for (String part : value.split(",", -1)) {
      arr.add(numbers ? number(part) : text(part));
    }
    return arr;
  }

  private static String unbase64(String value) {
    try {
      return new String(Base64.getDecoder().decode(value.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value; // not base64 (hand-edited file): keep what is there
    }
  }
}
