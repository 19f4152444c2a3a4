package io.vminfo.sysevent.internal.smartos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.host.JsonFiles;
import io.vminfo.sysevent.internal.xml.XmlElement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a zonecfg XML document ({@code /etc/zones/<zonename>.xml}) into the XML-derived part of a
 * vmadm VM object, as smartos-live's vmload-xml does. What each attribute becomes is {@link
 * VmloadProperties}; anything not there is dropped, as vmload drops it. Then, as vmload: {@code
 * nics} (and {@code disks} for the disk brands) always present, {@code vm-autoboot} is {@code
 * autoboot} for kvm, a {@code transition} attr spills into {@code state}, {@code transition_to} and
 * {@code transition_expire}, nics are sorted by {@code net<N>}, disks by their {@code disk<N>}
 * suffix and filesystems by target.
 */
public final class ZoneXmlMapper {
  private static final Pattern NET_INDEX = Pattern.compile("^net(\\d+)$");
  private static final Pattern DISK_INDEX = Pattern.compile("^.*[-/]disk(\\d+)$");

  private ZoneXmlMapper() {}

  /** Maps a parsed {@code <zone>} document; {@code what} names the file in errors. */
  public static ObjectNode map(XmlElement zone, String what) throws HostFileException {
    if (!zone.name().equals("zone")) {
      throw new HostFileException(
          "PARSE_ERROR", what + ": root element is <" + zone.name() + ">, not <zone>");
    }
    ObjectNode obj = JsonFiles.NODES.objectNode();
    putAll(obj, "zone.", zone.attributes());
    for (XmlElement child : zone.children()) {
      switch (child.name()) {
        case "attr" ->
            child
                .attr("name")
                .ifPresent(n -> child.attr("value").ifPresent(v -> put(obj, "zone.attr." + n, v)));
        case "rctl" -> rctl(obj, child);
        case "network" -> array(obj, "nics").add(network(child));
        case "device" -> device(obj, child);
        case "dataset" ->
            array(obj, "datasets")
                .add(
                    child
                        .attr("name")
                        .map(JsonFiles.NODES::textNode)
                        .map(JsonNode.class::cast)
                        .orElse(JsonFiles.NODES.nullNode()));
        case "filesystem" -> array(obj, "filesystems").add(filesystem(child));
        default -> {
          // elements vmload has no place for (e.g. <package>): it logs them and goes on
        }
      }
    }
    if (!obj.has("brand") || !obj.get("brand").isTextual()) {
      throw new HostFileException("PARSE_ERROR", what + ": zone has no brand");
    }
    String given = obj.get("brand").textValue();
    String brand = VmloadProperties.BRANDS.contains(given) ? given : "joyent";
    if (!obj.has("nics")) {
      obj.putArray("nics");
    }
    if (!obj.has("disks") && VmloadProperties.DISK_BRANDS.contains(brand)) {
      obj.putArray("disks");
    }
    if (VmloadProperties.VM_AUTOBOOT_BRANDS.contains(brand)) {
      JsonNode vmAutoboot = obj.remove("vm_autoboot");
      if (vmAutoboot == null) {
        obj.remove("autoboot"); // vmload assigns the absent vm_autoboot: no autoboot at all
      } else {
        obj.set("autoboot", vmAutoboot);
      }
    }
    JsonNode transition = obj.get("transition");
    if (transition != null && transition.isTextual()) {
      String[] fields = transition.textValue().stripTrailing().split(":", -1);
      if (fields.length == 3) {
        obj.remove("transition");
        obj.put("state", fields[0]);
        obj.put("transition_to", fields[1]);
        obj.set("transition_expire", JsNumber.json(fields[2]));
      }
    }
    if (obj.get("disks") instanceof ArrayNode disks) {
      sortByIndex(disks, "path", DISK_INDEX);
    }
    sortByIndex((ArrayNode) obj.get("nics"), "interface", NET_INDEX);
    if (obj.get("filesystems") instanceof ArrayNode filesystems) {
      sortByTarget(filesystems);
    }
    return obj;
  }

  /**
   * vmload keys an rctl value by name, privilege and action ({@code privileged}/{@code deny} for
   * most, {@code privileged}/{@code none} for shares and I/O priority); other combinations, and
   * rctls not named {@code zone.*}, are not in its table. A later value of one key wins.
   */
  private static void rctl(ObjectNode obj, XmlElement rctl) {
    String name = rctl.attr("name").orElse("");
    for (XmlElement value : rctl.children("rctl-value")) {
      Optional<String> limit = value.attr("limit");
      if (limit.isPresent()) {
        put(
            obj,
            "zone.rctl."
                + name
                + "."
                + value.attr("priv").orElse("")
                + "."
                + value.attr("action").orElse(""),
            limit.get());
      }
    }
  }

  private static ObjectNode network(XmlElement net) {
    ObjectNode nic = JsonFiles.NODES.objectNode();
    putAll(nic, "zone.network.", net.attributes());
    for (XmlElement na : net.children("net-attr")) {
      na.attr("name")
          .ifPresent(
              n -> na.attr("value").ifPresent(v -> put(nic, "zone.network.net-attr." + n, v)));
    }
    return nic;
  }

  /** A device is a disk, or a PCI passthrough device when its raw {@code model} is passthru. */
  private static void device(ObjectNode obj, XmlElement dev) {
    if (!obj.has("device")) {
      obj.putNull("device"); // vmload leaves this marker; the final VM drops it
    }
    ObjectNode out = JsonFiles.NODES.objectNode();
    putAll(out, "zone.device.", dev.attributes());
    String model = null;
    for (XmlElement na : dev.children("net-attr")) {
      Optional<String> name = na.attr("name");
      Optional<String> value = na.attr("value");
      if (name.isPresent() && value.isPresent()) {
        put(out, "zone.device.net-attr." + name.get(), value.get());
        if (name.get().equals("model")) {
          model = value.get();
        }
      }
    }
    array(obj, "passthru".equals(model) ? "pci_devices" : "disks").add(out);
  }

  private static ObjectNode filesystem(XmlElement fs) {
    ObjectNode out = JsonFiles.NODES.objectNode();
    putAll(out, "zone.filesystem.", fs.attributes());
    List<XmlElement> options = fs.children("fsoption");
    if (!options.isEmpty()) {
      ArrayNode arr = out.putArray("options");
      options.forEach(
          o ->
              arr.add(
                  o.attr("name")
                      .map(JsonFiles.NODES::textNode)
                      .map(JsonNode.class::cast)
                      .orElse(JsonFiles.NODES.nullNode())));
    }
    return out;
  }

  private static void putAll(ObjectNode target, String prefix, Map<String, String> attributes) {
    attributes.forEach((k, v) -> put(target, prefix + k, v));
  }

  /** Sets what vmload's table makes of {@code xmlKey}; unknown and ignored keys set nothing. */
  private static void put(ObjectNode target, String xmlKey, String text) {
    VmloadProperties.get(xmlKey)
        .filter(p -> p.conversion() != VmloadProperties.Conversion.IGNORED)
        .ifPresent(p -> target.set(p.vmKey(), convert(p.conversion(), text)));
  }

  static JsonNode convert(VmloadProperties.Conversion conversion, String text) {
    return switch (conversion) {
      case TEXT, IGNORED -> JsonFiles.NODES.textNode(text);
      case BOOLEAN ->
          text.equals("true")
              ? JsonFiles.NODES.booleanNode(true)
              : text.equals("false")
                  ? JsonFiles.NODES.booleanNode(false)
                  : JsonFiles.NODES.textNode(text);
      case NUMBER -> JsNumber.json(text);
      case LIST, NUMBER_LIST -> {
        ArrayNode arr = JsonFiles.NODES.arrayNode();
        for (String part : text.split(",", -1)) {
          arr.add(
              conversion == VmloadProperties.Conversion.LIST
                  ? JsonFiles.NODES.textNode(part)
                  : JsNumber.json(part));
        }
        yield arr;
      }
      case BASE64 -> JsonFiles.NODES.textNode(NodeBase64.decode(text));
      case MEBIBYTES -> JsNumber.json(JsNumber.parse(text) / (1024 * 1024));
    };
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
    items.sort(Comparator.comparingDouble(n -> index(n.path(field).asText(""), pattern)));
    arr.removeAll();
    items.forEach(arr::add);
  }

  private static double index(String value, Pattern pattern) {
    Matcher m = pattern.matcher(value);
    return m.find() ? JsNumber.parse(m.group(1)) : 0;
  }

  /**
   * vmload sorts filesystems by {@code Number(target)}. Targets are paths, NaN as numbers, so the
   * comparison says nothing and V8 keeps the file's order; vminfo sorts only when every target is a
   * number (a mix has no defined order in JavaScript either: the file's order is kept).
   */
  private static void sortByTarget(ArrayNode arr) {
    List<JsonNode> items = new ArrayList<>();
    arr.forEach(items::add);
    if (items.stream().allMatch(n -> !Double.isNaN(JsNumber.parse(n.path("target").asText(""))))) {
      items.sort(Comparator.comparingDouble(n -> JsNumber.parse(n.path("target").asText(""))));
      arr.removeAll();
      items.forEach(arr::add);
    }
  }

  /** A byte count as MiB, as vmload's rctl conversion makes it (used for zvol sizes too). */
  static JsonNode mebibytes(String bytes) {
    return convert(VmloadProperties.Conversion.MEBIBYTES, bytes);
  }
}
