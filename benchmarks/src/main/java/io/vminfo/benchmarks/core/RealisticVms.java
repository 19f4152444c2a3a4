package io.vminfo.benchmarks.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Vm;

/** VM objects shaped like a real `vmadm get` of a KVM/bhyve VM: ~40 keys, 4 nics, 3 disks. */
public final class RealisticVms {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RealisticVms() {}

  public static String uuid(int i) {
    return String.format("%08x-1c2d-4e5f-8a9b-%012x", i, (long) i * 7919);
  }

  public static Vm vm(int i) {
    ObjectNode o = MAPPER.createObjectNode();
    String uuid = uuid(i);
    o.put("uuid", uuid);
    o.put("alias", "web-" + i);
    o.put("autoboot", true);
    o.put("billing_id", "73a1ca34-1e30-48c7-8681-70314a9c67d3");
    o.put("brand", "bhyve");
    o.put("cpu_cap", 400);
    o.put("cpu_shares", 100);
    o.put("cpu_type", "host");
    o.put("create_timestamp", "2026-03-01T12:00:00.000Z");
    o.put("datasets", (String) null);
    o.put("dns_domain", "local");
    o.put("firewall_enabled", false);
    o.put("hostname", "web-" + i);
    o.put("hvm", true);
    o.put("image_uuid", "0b3d6b1e-0d2c-4c7f-9e1a-5d2e3f4a5b6c");
    o.put("last_modified", "2026-11-22T10:00:00.000Z");
    o.put("limit_priv", "default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session");
    o.put("max_locked_memory", 4096);
    o.put("max_lwps", 2000);
    o.put("max_physical_memory", 4096);
    o.put("max_swap", 8192);
    o.put("owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853");
    o.put("platform_buildstamp", "20261101T000000Z");
    o.put("quota", 100);
    o.put("ram", 4096);
    o.putArray("resolvers").add("8.8.8.8").add("8.8.4.4");
    o.put("server_uuid", "44454c4c-3200-1042-8053-b4c04f383432");
    o.put("state", "running");
    o.put("vcpus", 4);
    o.put("zfs_io_priority", 100);
    o.put("zone_state", "running");
    o.put("zonename", uuid);
    o.put("zonepath", "/zones/" + uuid);
    o.put("zoneid", 10 + i);
    o.put("pid", 4000 + i);
    o.put("zpool", "zones");
    ObjectNode meta = o.putObject("customer_metadata");
    meta.put("root_authorized_keys", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 operator@example");
    meta.put("user-script", "#!/bin/sh\necho hello > /var/tmp/hello\n");
    meta.put("role", "web");
    ObjectNode internal = o.putObject("internal_metadata");
    internal.put("sdc:operator-script", "");
    o.putObject("tags").put("role", "web").put("env", "prod");
    ArrayNode nics = o.putArray("nics");
    for (int n = 0; n < 4; n++) {
      ObjectNode nic = nics.addObject();
      nic.put("interface", "net" + n);
      nic.put("mac", String.format("90:b8:d0:%02x:%02x:%02x", (i >> 8) & 0xff, i & 0xff, n));
      nic.put("vlan_id", 100 + n);
      nic.put("nic_tag", n == 0 ? "admin" : "external");
      nic.put("gateway", "10." + n + ".0.1");
      nic.putArray("gateways").add("10." + n + ".0.1");
      nic.put("netmask", "255.255.255.0");
      nic.put("ip", "10." + n + "." + (i % 250) + ".10");
      nic.putArray("ips").add("10." + n + "." + (i % 250) + ".10/24");
      nic.put("model", "virtio");
      nic.put("network_uuid", "6d1a6e26-1f2c-4b3d-9e8f-" + String.format("%012d", n));
      if (n == 0) {
        nic.put("primary", true);
      }
    }
    ArrayNode disks = o.putArray("disks");
    for (int d = 0; d < 3; d++) {
      ObjectNode disk = disks.addObject();
      disk.put("path", "/dev/zvol/rdsk/zones/" + uuid + "/disk" + d);
      disk.put("boot", d == 0);
      disk.put("model", "virtio");
      disk.put("media", "disk");
      disk.put("size", 10240 * (d + 1));
      disk.put("zfs_filesystem", "zones/" + uuid + "/disk" + d);
      disk.put("zpool", "zones");
      disk.put("compression", "lz4");
      disk.put("block_size", 8192);
      disk.put("refreservation", 10240 * (d + 1));
      if (d == 0) {
        disk.put("image_uuid", "0b3d6b1e-0d2c-4c7f-9e1a-5d2e3f4a5b6c");
      }
    }
    return Vm.of(o);
  }

  /** The same VM after a typical update: alias, a quota, one NIC's IP and one disk's size. */
  public static Vm modified(Vm vm) {
    return vm.with(
        o -> {
          o.put("alias", o.get("alias").asText() + "-renamed");
          o.put("quota", 200);
          ((ObjectNode) o.get("nics").get(2)).put("ip", "192.168.9.9");
          ((ObjectNode) o.get("disks").get(1)).put("size", 40960);
          ((ObjectNode) o.get("customer_metadata")).put("role", "db");
        });
  }
}
