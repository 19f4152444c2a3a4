package io.vminfo.ittests;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code vmadm} knows about one SmartOS zone, as {@link SmartOsHostTree} writes it: the
 * properties that end up in the zone XML, the config JSON files and the zones index. Immutable; the
 * {@code with*} methods return changed copies (what {@code vmadm update} would be given).
 *
 * @param uuid zone uuid, also its zonename (as vmadm makes them)
 * @param brand {@code joyent}, {@code joyent-minimal}, {@code lx}, {@code kvm}, {@code bhyve}
 * @param alias vmadm {@code alias} (stored base64 in the XML)
 * @param maxPhysicalMemory MiB ({@code zone.max-physical-memory} rctl, stored in bytes)
 * @param cpuCap {@code zone.cpu-cap} (percent of a CPU)
 * @param state {@code running} or {@code stopped}
 */
public record ZoneSpec(
    String uuid,
    String brand,
    String alias,
    String ownerUuid,
    String billingId,
    String imageUuid,
    long maxPhysicalMemory,
    long cpuCap,
    boolean autoboot,
    String hostname,
    List<Nic> nics,
    Map<String, String> customerMetadata,
    Map<String, String> internalMetadata,
    Map<String, String> tags,
    String state) {

  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
  private static final List<String> BRANDS =
      List.of("joyent", "joyent-minimal", "lx", "kvm", "bhyve");

  /** One vnic: {@code net<N>} in the order given. */
  public record Nic(String mac, String nicTag, String ip, String netmask) {
    public Nic {
      requireText(mac, "mac");
      if (!MAC.matcher(mac).matches()) {
        throw new IllegalArgumentException("not a lower-case MAC address: " + mac);
      }
      requireText(nicTag, "nicTag");
      requireText(ip, "ip");
      requireText(netmask, "netmask");
    }
  }

  public ZoneSpec {
    requireUuid(uuid, "uuid");
    if (!BRANDS.contains(brand)) {
      throw new IllegalArgumentException("brand must be one of " + BRANDS + ": " + brand);
    }
    requireText(alias, "alias");
    requireUuid(ownerUuid, "ownerUuid");
    requireUuid(billingId, "billingId");
    requireUuid(imageUuid, "imageUuid");
    if (maxPhysicalMemory < 1 || maxPhysicalMemory > 1 << 24) {
      throw new IllegalArgumentException(
          "maxPhysicalMemory (MiB) out of range: " + maxPhysicalMemory);
    }
    if (cpuCap < 0) {
      throw new IllegalArgumentException("cpuCap must be >= 0: " + cpuCap);
    }
    requireText(hostname, "hostname");
    nics = List.copyOf(nics);
    customerMetadata = Map.copyOf(customerMetadata);
    internalMetadata = Map.copyOf(internalMetadata);
    tags = Map.copyOf(tags);
    if (!state.equals("running") && !state.equals("stopped")) {
      throw new IllegalArgumentException("state must be running or stopped: " + state);
    }
  }

  /**
   * A running 1 GiB joyent zone with one NIC and metadata derived from {@code uuid}, so two specs
   * made from the same uuid are equal.
   */
  public static ZoneSpec of(String uuid, String alias) {
    requireUuid(uuid, "uuid");
    int h = uuid.hashCode();
    String mac =
        String.format(
            Locale.ROOT, "90:b8:d0:%02x:%02x:%02x", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
    return new ZoneSpec(
        uuid,
        "joyent",
        alias,
        "930896af-bf8c-48d4-885c-6573a94b1853",
        "4d3c2b1a-0f9e-4d8c-9b7a-6f5e4d3c2b10",
        "2f6bb9a4-7c1e-4e0b-a3d5-b1c7e2f0a811",
        1024,
        100,
        true,
        alias,
        List.of(
            new Nic(
                mac,
                "external",
                "10.88." + ((h >>> 8) & 0xff) + "." + (1 + (h & 0x7f)),
                "255.255.0.0")),
        Map.of("role", "test"),
        Map.of(),
        Map.of("env", "it"),
        "running");
  }

  public ZoneSpec withBrand(String v) {
    return new ZoneSpec(
        uuid,
        v,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withAlias(String v) {
    return new ZoneSpec(
        uuid,
        brand,
        v,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withOwnerUuid(String v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        v,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withBillingId(String v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        v,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withMaxPhysicalMemory(long mib) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        mib,
        cpuCap,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withCpuCap(long v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        v,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withAutoboot(boolean v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        v,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withHostname(String v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        v,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withNics(List<Nic> v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        v,
        customerMetadata,
        internalMetadata,
        tags,
        state);
  }

  public ZoneSpec withCustomerMetadata(Map<String, String> v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        nics,
        v,
        internalMetadata,
        tags,
        state);
  }

  /** A copy with one customer metadata key set (vmadm {@code set_customer_metadata}). */
  public ZoneSpec withCustomerMetadata(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(customerMetadata);
    m.put(key, value);
    return withCustomerMetadata(m);
  }

  public ZoneSpec withInternalMetadata(Map<String, String> v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        v,
        tags,
        state);
  }

  public ZoneSpec withTags(Map<String, String> v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        v,
        state);
  }

  public ZoneSpec withState(String v) {
    return new ZoneSpec(
        uuid,
        brand,
        alias,
        ownerUuid,
        billingId,
        imageUuid,
        maxPhysicalMemory,
        cpuCap,
        autoboot,
        hostname,
        nics,
        customerMetadata,
        internalMetadata,
        tags,
        v);
  }

  /** The zones index / zoneadm state: vmadm's {@code stopped} is zoneadm's {@code installed}. */
  public String zoneState() {
    return state.equals("running") ? "running" : "installed";
  }

  private static void requireUuid(String s, String what) {
    if (s == null || !UUID.matcher(s).matches()) {
      throw new IllegalArgumentException(what + " must be a lower-case uuid: " + s);
    }
  }

  private static void requireText(String s, String what) {
    Objects.requireNonNull(s, what);
    if (s.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
  }
}
