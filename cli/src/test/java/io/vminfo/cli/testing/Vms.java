package io.vminfo.cli.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.core.Vm;

/** The VMs the CLI tests list, watch and change: three zones of different shapes. */
public final class Vms {
  public static final String SERVER = "44454c4c-3200-1042-8053-b4c04f383432";
  public static final String WEB = "0a1b2c3d-0000-4000-8000-000000000001";
  public static final String DB = "0a1b2c3d-0000-4000-8000-000000000002";
  public static final String KVM = "0a1b2c3d-0000-4000-8000-000000000003";

  private Vms() {}

  public static Vm web() {
    return vm(WEB, "web-1", "joyent", "running", 1024, "90:b8:d0:00:00:01");
  }

  public static Vm db() {
    return vm(DB, "db:primary", "lx", "stopped", 4096, "90:b8:d0:00:00:02");
  }

  public static Vm kvm() {
    return vm(KVM, "build", "kvm", "running", 2048, "90:b8:d0:00:00:03")
        .with(o -> o.put("ram", 2048).put("vcpus", 2));
  }

  public static Vm vm(
      String uuid, String alias, String brand, String state, long memory, String mac) {
    ObjectNode o = CliJson.NODES.objectNode();
    o.put("uuid", uuid);
    o.put("zonename", alias.replace(':', '-'));
    o.put("alias", alias);
    o.put("brand", brand);
    o.put("state", state);
    o.put("zone_state", state.equals("running") ? "running" : "installed");
    if (state.equals("running")) {
      o.put("zoneid", 7);
    } else {
      o.putNull("zoneid");
    }
    o.put("server_uuid", SERVER);
    o.put("owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853");
    o.put("max_physical_memory", memory);
    o.put("quota", 25);
    o.putArray("resolvers").add("8.8.8.8");
    o.put("firewall_enabled", false);
    ArrayNode nics = o.putArray("nics");
    ObjectNode nic = nics.addObject();
    nic.put("interface", "net0");
    nic.put("mac", mac);
    nic.put("ip", "10.0.0." + Integer.parseInt(uuid.substring(uuid.length() - 2)));
    nic.put("primary", true);
    o.putObject("customer_metadata");
    o.putObject("tags").put("role", brand.equals("lx") ? "db" : "web");
    o.put("last_modified", "2026-11-22T10:00:00.000Z");
    return Vm.of(o);
  }
}
