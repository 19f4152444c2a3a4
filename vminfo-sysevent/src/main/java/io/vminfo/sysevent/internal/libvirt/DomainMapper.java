package io.vminfo.sysevent.internal.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.text.IsoMillis;
import io.vminfo.core.text.Uuids;
import io.vminfo.sysevent.internal.host.HostFileException;
import io.vminfo.sysevent.internal.host.JsonFiles;
import io.vminfo.sysevent.internal.xml.XmlElement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a libvirt domain (persistent definition and, when it runs, the status file's {@code
 * <domstatus>} with the live domain) to the VM object of DESIGN section 2.
 */
public final class DomainMapper {
  /** Our metadata namespace in {@code <metadata>}. */
  public static final String VMINFO_NS = "https://vminfo.io/xmlns/vm/1";

  /** OpenStack nova's metadata namespaces start with this. */
  public static final String NOVA_NS_PREFIX = "http://openstack.org/xmlns/libvirt/nova/";

  private static final Map<String, String> STATES =
      Map.of(
          "running",
          "running",
          "blocked",
          "running",
          "paused",
          "paused",
          "pmsuspended",
          "paused",
          "shutdown",
          "stopping",
          "shutoff",
          "stopped",
          "crashed",
          "failed",
          "nostate",
          "provisioning");

  private DomainMapper() {}

  /** What the status file says about a running domain. */
  public record Status(
      String state, Optional<String> reason, Optional<Long> pid, XmlElement live) {}

  /** Parses {@code <domstatus state reason pid><domain id=...>...}. */
  public static Status status(XmlElement domstatus, String what) throws HostFileException {
    if (!domstatus.name().equals("domstatus")) {
      throw new HostFileException(
          "PARSE_ERROR", what + ": root element is <" + domstatus.name() + ">, not <domstatus>");
    }
    XmlElement live =
        domstatus
            .child("domain")
            .orElseThrow(
                () -> new HostFileException("PARSE_ERROR", what + ": <domstatus> has no <domain>"));
    Optional<Long> pid = domstatus.attr("pid").flatMap(DomainMapper::parseLong).filter(p -> p > 0);
    return new Status(
        domstatus.attr("state").orElse("nostate"), domstatus.attr("reason"), pid, live);
  }

  /**
   * Builds the VM. {@code domain} is the live domain when the status exists, else the persistent
   * definition.
   */
  public static ObjectNode map(
      String name, XmlElement domain, Optional<Status> status, boolean autostart, String what)
      throws HostFileException {
    if (!domain.name().equals("domain")) {
      throw new HostFileException(
          "PARSE_ERROR", what + ": root element is <" + domain.name() + ">, not <domain>");
    }
    String uuid =
        domain
            .childText("uuid")
            .orElseThrow(
                () -> new HostFileException("PARSE_ERROR", what + ": domain has no <uuid>"));
    if (!Uuids.isUuid(uuid)) {
      throw new HostFileException("PARSE_ERROR", what + ": <uuid> is not a UUID: " + uuid);
    }
    String domName = domain.childText("name").orElse(name);
    if (!domName.equals(name)) {
      throw new HostFileException(
          "PARSE_ERROR",
          what + ": domain name " + domName + " does not match the file name " + name);
    }
    ObjectNode vm = JsonFiles.NODES.objectNode();
    vm.put("uuid", uuid.toLowerCase(Locale.ROOT));
    vm.put("alias", name);
    vm.put("zonename", name);
    vm.put("brand", domain.attr("type").orElse("qemu"));
    vm.put("hvm", true);
    String rawState = status.map(Status::state).orElse("shutoff");
    vm.put("state", STATES.getOrDefault(rawState, rawState));
    vm.put("zone_state", rawState);
    status.flatMap(Status::reason).ifPresent(r -> vm.put("libvirt_reason", r));
    Optional<Long> id =
        status.isPresent()
            ? domain.attr("id").flatMap(DomainMapper::parseLong).filter(i -> i >= 0)
            : Optional.empty();
    if (id.isPresent() && !rawState.equals("shutoff")) {
      vm.set("zoneid", JsonFiles.number(id.get()));
    } else {
      vm.putNull("zoneid");
    }
    status
        .flatMap(Status::pid)
        .filter(p -> !rawState.equals("shutoff"))
        .ifPresent(p -> vm.set("pid", JsonFiles.number(p)));
    domain
        .child("memory")
        .ifPresent(
            m -> vm.set("max_physical_memory", mebibytes(m.text(), m.attr("unit").orElse("KiB"))));
    // <vcpu current='1'>2</vcpu>: the guest runs 1 vCPU and may be hot-plugged up to 2; virsh
    // dominfo's "CPU(s)" is the current count, so vcpus is that and max_vcpus the ceiling.
    domain
        .child("vcpu")
        .ifPresent(
            v -> {
              Optional<Long> max = parseLong(v.text().strip());
              Optional<Long> current =
                  v.attr("current").flatMap(DomainMapper::parseLong).or(() -> max);
              current.ifPresent(c -> vm.set("vcpus", JsonFiles.number(c)));
              max.ifPresent(m -> vm.set("max_vcpus", JsonFiles.number(m)));
            });
    vm.put("autoboot", autostart);
    Optional<XmlElement> devices = domain.child("devices");
    vm.set("nics", nics(devices.map(d -> d.children("interface")).orElse(List.of())));
    vm.set(
        "disks",
        disks(
            devices.map(d -> d.children("disk")).orElse(List.of()),
            domain.child("os").map(o -> o.children("boot")).orElse(List.of())));
    domain.child("metadata").ifPresent(md -> metadata(vm, md));
    return vm;
  }

  private static ArrayNode nics(List<XmlElement> interfaces) {
    ArrayNode out = JsonFiles.NODES.arrayNode();
    boolean first = true;
    for (XmlElement i : interfaces) {
      ObjectNode nic = JsonFiles.NODES.objectNode();
      i.child("mac")
          .flatMap(m -> m.attr("address"))
          .ifPresent(mac -> nic.put("mac", mac.toLowerCase(Locale.ROOT)));
      i.child("model").flatMap(m -> m.attr("type")).ifPresent(m -> nic.put("model", m));
      i.child("target").flatMap(t -> t.attr("dev")).ifPresent(d -> nic.put("interface", d));
      Optional<XmlElement> source = i.child("source");
      source.flatMap(s -> s.attr("bridge")).ifPresent(b -> nic.put("bridge", b));
      source.flatMap(s -> s.attr("network")).ifPresent(n -> nic.put("network", n));
      i.attr("type").ifPresent(t -> nic.put("nic_type", t));
      if (first) {
        nic.put("primary", true);
        first = false;
      }
      out.add(nic);
    }
    return out;
  }

  private static ArrayNode disks(List<XmlElement> disks, List<XmlElement> osBoot) {
    ArrayNode out = JsonFiles.NODES.arrayNode();
    boolean hdBoot = osBoot.stream().anyMatch(b -> b.attr("dev").filter("hd"::equals).isPresent());
    boolean cdBoot =
        osBoot.stream().anyMatch(b -> b.attr("dev").filter("cdrom"::equals).isPresent());
    boolean explicitOrder = disks.stream().anyMatch(d -> d.child("boot").isPresent());
    boolean firstDisk = true;
    boolean firstCd = true;
    for (XmlElement d : disks) {
      ObjectNode disk = JsonFiles.NODES.objectNode();
      Optional<XmlElement> source = d.child("source");
      Optional<String> path =
          source
              .flatMap(s -> s.attr("file"))
              .or(() -> source.flatMap(s -> s.attr("dev")))
              .or(
                  () ->
                      source
                          .flatMap(s -> s.attr("volume"))
                          .map(
                              v ->
                                  source
                                      .flatMap(s -> s.attr("pool"))
                                      .map(p -> p + "/" + v)
                                      .orElse(v)))
              .or(() -> source.flatMap(s -> s.attr("name")));
      path.ifPresent(p -> disk.put("path", p));
      d.child("target").flatMap(t -> t.attr("bus")).ifPresent(b -> disk.put("model", b));
      String media = d.attr("device").orElse("disk");
      disk.put("media", media);
      boolean boot;
      if (explicitOrder) {
        boot = d.child("boot").flatMap(b -> b.attr("order")).filter("1"::equals).isPresent();
      } else if (media.equals("cdrom")) {
        boot = cdBoot && firstCd;
      } else {
        boot = hdBoot && firstDisk && media.equals("disk");
      }
      if (media.equals("cdrom")) {
        firstCd = false;
      } else if (media.equals("disk")) {
        firstDisk = false;
      }
      disk.put("boot", boot);
      out.add(disk);
    }
    return out;
  }

  private static void metadata(ObjectNode vm, XmlElement metadata) {
    for (XmlElement m : metadata.children()) {
      if (m.namespace().startsWith(NOVA_NS_PREFIX) && m.name().equals("instance")) {
        nova(vm, m);
      }
    }
    // Ours last: it wins over nova's where both say something.
    for (XmlElement m : metadata.children()) {
      if (m.namespace().equals(VMINFO_NS)) {
        ours(vm, m);
      }
    }
  }

  /**
   * nova's {@code <nova:instance>} as its libvirt driver writes it: {@code <nova:name>} (the
   * instance's display name), {@code <nova:creationTime>} ("2026-06-01 10:00:00", UTC), {@code
   * <nova:flavor name>} with {@code memory}/{@code disk}/{@code swap}/{@code ephemeral}/ {@code
   * vcpus} children, and since nova 2025.2 also {@code id} (the flavor ID) and {@code extraSpecs};
   * {@code <nova:owner>} user and project (32 hex digit ids, names as text); {@code <nova:root type
   * uuid>}; since 2025.2 {@code <nova:image uuid>} (empty when booted from a volume). nova says
   * nothing about a package version: {@code <nova:package version>} is nova's own release, not the
   * flavor's, and is not mapped.
   */
  private static void nova(ObjectNode vm, XmlElement instance) {
    instance
        .child("owner")
        .ifPresent(
            owner -> {
              owner
                  .child("project")
                  .flatMap(p -> p.attr("uuid"))
                  .map(DomainMapper::novaUuid)
                  .ifPresent(u -> vm.put("owner_uuid", u));
              owner
                  .child("project")
                  .map(XmlElement::text)
                  .filter(t -> !t.isEmpty())
                  .ifPresent(t -> vm.put("owner_name", t));
              owner
                  .child("user")
                  .flatMap(u -> u.attr("uuid"))
                  .map(DomainMapper::novaUuid)
                  .ifPresent(u -> vm.put("owner_user_uuid", u));
            });
    instance
        .child("flavor")
        .ifPresent(
            f -> {
              f.attr("name").filter(n -> !n.isEmpty()).ifPresent(n -> vm.put("package_name", n));
              // The flavor ID is what an OpenStack bill is keyed by (a UUID, or a short ID such as
              // "42").
              // nova before 2025.2 does not write it: then there is no billing_id from nova.
              f.attr("id")
                  .map(String::trim)
                  .filter(id -> !id.isEmpty())
                  .map(DomainMapper::novaUuid)
                  .ifPresent(id -> vm.put("billing_id", id));
            });
    Optional<String> image =
        instance
            .child("image")
            .flatMap(i -> i.attr("uuid"))
            .map(String::trim)
            .filter(u -> !u.isEmpty());
    Optional<String> rootImage =
        instance.children("root").stream()
            .filter(r -> r.attr("type").filter("image"::equals).isPresent())
            .findFirst()
            .flatMap(r -> r.attr("uuid"))
            .filter(u -> !u.isEmpty());
    image.or(() -> rootImage).ifPresent(u -> vm.put("image_uuid", u.toLowerCase(Locale.ROOT)));
    instance.childText("name").ifPresent(n -> vm.put("hostname", n));
    instance
        .childText("creationTime")
        .flatMap(DomainMapper::novaTime)
        .ifPresent(t -> vm.put("create_timestamp", t));
  }

  private static final DateTimeFormatter NOVA_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);

  /** nova's "2026-06-01 10:00:00" (UTC) as vmadm's create_timestamp, "2026-06-01T10:00:00.000Z". */
  private static Optional<String> novaTime(String text) {
    try {
      LocalDateTime t = LocalDateTime.parse(text.trim(), NOVA_TIME);
      return Optional.of(IsoMillis.format(t.toInstant(ZoneOffset.UTC)));
    } catch (DateTimeParseException e) {
      return Optional.empty(); // not nova's format: no create_timestamp rather than a wrong one
    }
  }

  /**
   * nova writes project and user ids as 32 hex digits; vmadm fields are dashed, lower-case UUIDs.
   * Anything else (a flavor ID such as "M1.Large") is kept exactly as nova wrote it.
   */
  private static String novaUuid(String id) {
    String s = id.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.matches("[0-9a-f]{32}")) {
      return lower.substring(0, 8)
          + "-"
          + lower.substring(8, 12)
          + "-"
          + lower.substring(12, 16)
          + "-"
          + lower.substring(16, 20)
          + "-"
          + lower.substring(20);
    }
    return Uuids.isUuid(lower) ? lower : s;
  }

  private static void ours(ObjectNode vm, XmlElement m) {
    for (XmlElement field : m.children()) {
      if (!field.namespace().equals(VMINFO_NS)) {
        continue;
      }
      switch (field.name()) {
        case "owner_uuid", "billing_id", "image_uuid", "package_name", "package_version" -> {
          if (!field.text().isEmpty()) {
            vm.put(field.name(), field.text());
          }
        }
        case "customer_metadata", "tags" -> {
          ObjectNode map = vm.putObject(field.name());
          for (XmlElement entry : field.children("entry")) {
            entry.attr("key").ifPresent(k -> map.put(k, entry.text()));
          }
        }
        default -> {
          // unknown fields of a newer schema version are ignored
        }
      }
    }
  }

  static JsonNode mebibytes(String value, String unit) {
    Optional<Long> n = parseLong(value);
    if (n.isEmpty()) {
      return JsonFiles.NODES.textNode(value);
    }
    double bytes = n.get() * unitBytes(unit);
    double mib = bytes / (1024.0 * 1024.0);
    if (mib == Math.rint(mib) && mib < Long.MAX_VALUE) {
      return JsonFiles.number((long) mib);
    }
    return JsonFiles.NODES.numberNode(mib);
  }

  /** A libvirt memory size in bytes; empty when it is not a whole number. */
  static Optional<Long> bytes(String value, String unit) {
    return parseLong(value).filter(n -> n >= 0).map(n -> (long) (n * unitBytes(unit)));
  }

  private static double unitBytes(String unit) {
    switch (unit) {
      case "b", "bytes":
        return 1;
      case "KB":
        return 1e3;
      case "k", "KiB":
        return 1024;
      case "MB":
        return 1e6;
      case "M", "MiB":
        return 1024.0 * 1024;
      case "GB":
        return 1e9;
      case "G", "GiB":
        return 1024.0 * 1024 * 1024;
      case "TB":
        return 1e12;
      case "T", "TiB":
        return 1024.0 * 1024 * 1024 * 1024;
      default:
        return 1024; // libvirt's default unit is KiB
    }
  }

  static Optional<Long> parseLong(String s) {
    try {
      return Optional.of(Long.parseLong(s.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
