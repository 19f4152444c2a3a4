package io.vminfo.agent.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Vm;
import io.vminfo.core.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Realistic vmadm-style VM objects for tests. */
public final class TestVms {
  public static final String SERVER = "44454c4c-3800-104b-8050-b4c04f4d4e31";
  public static final String OWNER_A = "930896af-bf8c-48d4-885c-6573a94b1853";
  public static final String OWNER_B = "2c8e0f8c-4d2c-4b5e-9a43-6c1d7f3b9a01";

  private TestVms() {}

  /** The uuid of test VM number {@code n}. */
  public static String uuid(int n) {
    return String.format(Locale.ROOT, "%08x-1111-4222-8333-%012x", n, n);
  }

  /** A running joyent-brand zone named {@code vm<n>}. */
  public static Vm vm(int n) {
    return vm(n, "running", "joyent", n % 2 == 0 ? OWNER_A : OWNER_B);
  }

  public static Vm vm(int n, String state, String brand, String owner) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("uuid", uuid(n));
    o.put("zonename", uuid(n));
    o.put("alias", "vm" + n);
    o.put("brand", brand);
    o.put("state", state);
    o.put("zone_state", state.equals("running") ? "running" : "installed");
    if (state.equals("running")) {
      o.put("zoneid", n);
    } else {
      o.putNull("zoneid");
    }
    o.put("server_uuid", SERVER);
    o.put("owner_uuid", owner);
    o.put("billing_id", "73a1ca34-1e30-48c7-8681-70314a9c67d3");
    o.put("image_uuid", "e75c9d82-3156-11e5-9aa5-4f8a1bd2b6bc");
    o.put("max_physical_memory", 1024);
    o.put("quota", 10);
    o.put("cpu_cap", 100);
    ArrayNode nics = o.putArray("nics");
    ObjectNode nic = nics.addObject();
    nic.put("interface", "net0");
    nic.put(
        "mac",
        String.format(
            Locale.ROOT, "90:b8:d0:%02x:%02x:%02x", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff));
    nic.put("nic_tag", "external");
    nic.put("ip", "10.0." + ((n >> 8) & 0xff) + "." + (n & 0xff));
    nic.put("netmask", "255.255.0.0");
    nic.put("primary", true);
    ArrayNode disks = o.putArray("disks");
    if (!brand.equals("joyent")) {
      ObjectNode d = disks.addObject();
      d.put("path", "/dev/zvol/rdsk/zones/" + uuid(n) + "-disk0");
      d.put("size", 10240);
      d.put("boot", true);
    }
    o.putObject("customer_metadata").put("user-script", "#!/bin/sh\necho hello " + n);
    o.putObject("tags").put("role", n % 3 == 0 ? "db" : "web");
    o.putArray("resolvers").add("8.8.8.8");
    o.put("firewall_enabled", false);
    o.put("last_modified", "2026-11-22T10:00:00.000Z");
    return Vm.of(o);
  }

  public static List<Vm> many(int count) {
    List<Vm> out = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      out.add(vm(i));
    }
    return out;
  }
}
