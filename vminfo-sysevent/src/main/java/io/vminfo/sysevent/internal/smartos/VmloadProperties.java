package io.vminfo.sysevent.internal.smartos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What vmload knows of a zone XML: every attribute, {@code attr}, {@code net-attr} and rctl it
 * maps, the VM key it becomes and how its text is converted. Observed from smartos-live's property
 * table (the {@code zonexml} entries its build turns into vmload's lookup table) at commit
 * e6da73be; vminfo-sysevent's README lists the same rows and a test keeps the two equal. Anything
 * not listed here vmload drops (it logs "not found"), and so does vminfo.
 *
 * <p>Keys are vmload's: {@code zone.<attribute>}, {@code zone.attr.<name>}, {@code
 * zone.network.<attribute>}, {@code zone.network.net-attr.<name>}, {@code zone.device.match},
 * {@code zone.device.net-attr.<name>}, {@code zone.filesystem.<attribute>} and {@code
 * zone.rctl.<name>.<priv>.<action>}.
 */
final class VmloadProperties {
  /** How vmload turns the XML text into the VM value. */
  enum Conversion {
    /** The text as is. */
    TEXT,
    /** "true" and "false" become booleans; any other text is kept as text. */
    BOOLEAN,
    /** JavaScript's {@code Number()}: trimmed, "" is 0, hex/octal/binary; not a number is null. */
    NUMBER,
    /** Split on ",": "" is {@code [""]}. */
    LIST,
    /** Split on ",", each part a {@link #NUMBER}. */
    NUMBER_LIST,
    /** Base64 decoded as Node's Buffer does (both alphabets, other characters skipped), UTF-8. */
    BASE64,
    /** A {@link #NUMBER} of bytes divided by 2^20 (MiB, fractional when it is not whole). */
    MEBIBYTES,
    /** Known to vmload and deliberately left out of the VM. */
    IGNORED
  }

  record Property(String xmlKey, String vmKey, Conversion conversion) {}

  /** Brands vmload has options for; any other is treated as "joyent". */
  static final Set<String> BRANDS = Set.of("bhyve", "joyent", "joyent-minimal", "kvm", "lx");

  /** Brands whose VM always has a {@code disks} array. */
  static final Set<String> DISK_BRANDS = Set.of("bhyve", "kvm");

  /** Brands whose {@code autoboot} is their {@code vm-autoboot} attr (unset without one). */
  static final Set<String> VM_AUTOBOOT_BRANDS = Set.of("kvm");

  static final List<Property> ALL =
      List.of(
          p("zone.attr.alias", "alias", Conversion.BASE64),
          p("zone.attr.app-svc-dependent", "app_svc_dependent", Conversion.BOOLEAN),
          p("zone.attr.archive-on-delete", "archive_on_delete", Conversion.BOOLEAN),
          p("zone.attr.bhyve-extra-opts", "bhyve_extra_opts", Conversion.TEXT),
          p("zone.attr.billing-id", "billing_id", Conversion.TEXT),
          p("zone.attr.boot", "boot", Conversion.TEXT),
          p("zone.attr.bootrom", "bootrom", Conversion.TEXT),
          p("zone.attr.com1", "com1", Conversion.TEXT),
          p("zone.attr.com2", "com2", Conversion.TEXT),
          p("zone.attr.cpu-type", "cpu_type", Conversion.TEXT),
          p("zone.attr.create-timestamp", "create_timestamp", Conversion.TEXT),
          p("zone.attr.dataset-uuid", "image_uuid", Conversion.TEXT),
          p("zone.attr.default-gateway", "default_gateway", Conversion.TEXT),
          p("zone.attr.disk-driver", "disk_driver", Conversion.TEXT),
          p("zone.attr.dns-domain", "dns_domain", Conversion.TEXT),
          p("zone.attr.do-not-inventory", "do_not_inventory", Conversion.BOOLEAN),
          p("zone.attr.docker", "docker", Conversion.BOOLEAN),
          p("zone.attr.failed", "failed", Conversion.TEXT),
          p("zone.attr.firewall-enabled", "firewall_enabled", Conversion.BOOLEAN),
          p("zone.attr.flexible-disk-size", "flexible_disk_size", Conversion.NUMBER),
          p("zone.attr.hostname", "hostname", Conversion.TEXT),
          p("zone.attr.init-name", "init_name", Conversion.TEXT),
          p(
              "zone.attr.internal-metadata-namespaces",
              "internal_metadata_namespaces",
              Conversion.LIST),
          p("zone.attr.kernel-version", "kernel_version", Conversion.TEXT),
          p("zone.attr.maintain-resolvers", "maintain_resolvers", Conversion.BOOLEAN),
          p("zone.attr.nic-driver", "nic_driver", Conversion.TEXT),
          p("zone.attr.owner-uuid", "owner_uuid", Conversion.TEXT),
          p("zone.attr.package-name", "package_name", Conversion.TEXT),
          p("zone.attr.package-version", "package_version", Conversion.TEXT),
          p("zone.attr.provisioning", "provisioning", Conversion.BOOLEAN),
          p("zone.attr.qemu-extra-opts", "qemu_extra_opts", Conversion.BASE64),
          p("zone.attr.qemu-opts", "qemu_opts", Conversion.BASE64),
          p("zone.attr.ram", "ram", Conversion.NUMBER),
          p("zone.attr.resolvers", "resolvers", Conversion.LIST),
          p("zone.attr.restart-init", "restart_init", Conversion.BOOLEAN),
          p("zone.attr.spice-opts", "spice_opts", Conversion.BASE64),
          p("zone.attr.spice-password", "spice_password", Conversion.BASE64),
          p("zone.attr.spice-port", "spice_port", Conversion.NUMBER),
          p("zone.attr.tmpfs", "tmpfs", Conversion.NUMBER),
          p("zone.attr.transition", "transition", Conversion.TEXT),
          p("zone.attr.vcpus", "vcpus", Conversion.NUMBER),
          p("zone.attr.vga", "vga", Conversion.TEXT),
          p("zone.attr.virtio-txburst", "virtio_txburst", Conversion.NUMBER),
          p("zone.attr.virtio-txtimer", "virtio_txtimer", Conversion.NUMBER),
          p("zone.attr.vm-autoboot", "vm_autoboot", Conversion.BOOLEAN),
          p("zone.attr.vm-version", "v", Conversion.NUMBER),
          p("zone.attr.vnc-password", "vnc_password", Conversion.BASE64),
          p("zone.attr.vnc-port", "vnc_port", Conversion.NUMBER),
          p("zone.attr.zlog-max-size", "zlog_max_size", Conversion.NUMBER),
          p("zone.attr.zlog-mode", "zlog_mode", Conversion.TEXT),
          p("zone.attr.zlog-name", "zlog_name", Conversion.TEXT),
          p("zone.autoboot", "autoboot", Conversion.BOOLEAN),
          p("zone.brand", "brand", Conversion.TEXT),
          p("zone.debugid", "debug_id", Conversion.IGNORED),
          p("zone.device.match", "path", Conversion.TEXT),
          p("zone.device.net-attr.boot", "boot", Conversion.BOOLEAN),
          p("zone.device.net-attr.guest-block-size", "guest_block_size", Conversion.TEXT),
          p("zone.device.net-attr.image-name", "image_name", Conversion.IGNORED),
          p("zone.device.net-attr.image-size", "image_size", Conversion.NUMBER),
          p("zone.device.net-attr.image-uuid", "image_uuid", Conversion.TEXT),
          p("zone.device.net-attr.media", "media", Conversion.TEXT),
          p("zone.device.net-attr.model", "model", Conversion.TEXT),
          p("zone.device.net-attr.notrim", "notrim", Conversion.BOOLEAN),
          p("zone.device.net-attr.pci-slot", "pci_slot", Conversion.TEXT),
          p("zone.device.net-attr.size", "zonexml_size", Conversion.IGNORED),
          p("zone.device.net-attr.uuid", "uuid", Conversion.TEXT),
          p("zone.filesystem.directory", "target", Conversion.TEXT),
          p("zone.filesystem.raw", "raw", Conversion.TEXT),
          p("zone.filesystem.special", "source", Conversion.TEXT),
          p("zone.filesystem.type", "type", Conversion.TEXT),
          p("zone.fs-allowed", "fs_allowed", Conversion.TEXT),
          p("zone.ip-type", "ip_type", Conversion.IGNORED),
          p("zone.limitpriv", "limit_priv", Conversion.TEXT),
          p("zone.name", "zonename", Conversion.TEXT),
          p("zone.network.allowed-address", "allowed_address", Conversion.IGNORED),
          p("zone.network.global-nic", "nic_tag", Conversion.TEXT),
          p("zone.network.mac-addr", "mac", Conversion.TEXT),
          p("zone.network.net-attr.allow_dhcp_spoofing", "allow_dhcp_spoofing", Conversion.BOOLEAN),
          p("zone.network.net-attr.allow_ip_spoofing", "allow_ip_spoofing", Conversion.BOOLEAN),
          p("zone.network.net-attr.allow_mac_spoofing", "allow_mac_spoofing", Conversion.BOOLEAN),
          p(
              "zone.network.net-attr.allow_restricted_traffic",
              "allow_restricted_traffic",
              Conversion.BOOLEAN),
          p(
              "zone.network.net-attr.allow_unfiltered_promisc",
              "allow_unfiltered_promisc",
              Conversion.BOOLEAN),
          p("zone.network.net-attr.allowed_dhcp_cids", "allowed_dhcp_cids", Conversion.LIST),
          p("zone.network.net-attr.allowed_ips", "allowed_ips", Conversion.LIST),
          p(
              "zone.network.net-attr.blocked_outgoing_ports",
              "blocked_outgoing_ports",
              Conversion.NUMBER_LIST),
          p("zone.network.net-attr.dhcp_server", "dhcp_server", Conversion.BOOLEAN),
          p("zone.network.net-attr.gateway", "gateway", Conversion.TEXT),
          p("zone.network.net-attr.gateways", "gateways", Conversion.LIST),
          p("zone.network.net-attr.ip", "ip", Conversion.TEXT),
          p("zone.network.net-attr.ips", "ips", Conversion.LIST),
          p("zone.network.net-attr.model", "model", Conversion.TEXT),
          p("zone.network.net-attr.mtu", "mtu", Conversion.NUMBER),
          p("zone.network.net-attr.netmask", "netmask", Conversion.TEXT),
          p("zone.network.net-attr.network_uuid", "network_uuid", Conversion.TEXT),
          p("zone.network.net-attr.primary", "primary", Conversion.BOOLEAN),
          p("zone.network.net-attr.vrrp_primary_ip", "vrrp_primary_ip", Conversion.TEXT),
          p("zone.network.net-attr.vrrp_vrid", "vrrp_vrid", Conversion.NUMBER),
          p("zone.network.physical", "interface", Conversion.TEXT),
          p("zone.network.vlan-id", "vlan_id", Conversion.NUMBER),
          p("zone.rctl.zone.cpu-cap.privileged.deny", "cpu_cap", Conversion.NUMBER),
          p("zone.rctl.zone.cpu-shares.privileged.none", "cpu_shares", Conversion.NUMBER),
          p(
              "zone.rctl.zone.max-locked-memory.privileged.deny",
              "max_locked_memory",
              Conversion.MEBIBYTES),
          p("zone.rctl.zone.max-lwps.privileged.deny", "max_lwps", Conversion.NUMBER),
          p("zone.rctl.zone.max-msg-ids.privileged.deny", "max_msg_ids", Conversion.NUMBER),
          p(
              "zone.rctl.zone.max-physical-memory.privileged.deny",
              "max_physical_memory",
              Conversion.MEBIBYTES),
          p("zone.rctl.zone.max-sem-ids.privileged.deny", "max_sem_ids", Conversion.NUMBER),
          p("zone.rctl.zone.max-shm-ids.privileged.deny", "max_shm_ids", Conversion.NUMBER),
          p(
              "zone.rctl.zone.max-shm-memory.privileged.deny",
              "max_shm_memory",
              Conversion.MEBIBYTES),
          p("zone.rctl.zone.max-swap.privileged.deny", "max_swap", Conversion.MEBIBYTES),
          p("zone.rctl.zone.zfs-io-priority.privileged.none", "zfs_io_priority", Conversion.NUMBER),
          p("zone.zonepath", "zonepath", Conversion.IGNORED));

  private static final Map<String, Property> BY_KEY = index();

  private VmloadProperties() {}

  static Optional<Property> get(String xmlKey) {
    return Optional.ofNullable(BY_KEY.get(xmlKey));
  }

  private static Property p(String xmlKey, String vmKey, Conversion conversion) {
    return new Property(xmlKey, vmKey, conversion);
  }

  private static Map<String, Property> index() {
    Map<String, Property> m = new LinkedHashMap<>();
    for (Property p : ALL) {
      if (m.put(p.xmlKey(), p) != null) {
        throw new IllegalStateException("twice in the vmload table: " + p.xmlKey());
      }
    }
    return Map.copyOf(m);
  }
}
