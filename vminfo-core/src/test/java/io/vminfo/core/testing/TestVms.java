package io.vminfo.core.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.Vm;
import io.vminfo.core.internal.Json;
import java.util.UUID;

/** Complete, valid VM objects for tests. */
public final class TestVms {
  public static final String SERVER = "44454c4c-3200-1042-8053-b4c04f383432";

  private TestVms() {}

  /** A deterministic uuid for index {@code i}. */
  public static String uuid(int i) {
    return String.format("00000000-0000-4000-8000-%012d", i);
  }

  /** A running joyent zone with one NIC. */
  public static Vm vm(String uuid, String alias) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("uuid", uuid);
    o.put("zonename", uuid);
    o.put("alias", alias);
    o.put("brand", "joyent");
    o.put("state", "running");
    o.put("zone_state", "running");
    o.put("zoneid", 7);
    o.put("server_uuid", SERVER);
    o.put("owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853");
    o.put("max_physical_memory", 1024);
    o.put("quota", 25);
    o.put("cpu_cap", 100);
    o.putArray("resolvers").add("8.8.8.8");
    o.put("firewall_enabled", false);
    ArrayNode nics = o.putArray("nics");
    ObjectNode nic = nics.addObject();
    nic.put("interface", "net0");
    nic.put(
        "mac",
        "90:b8:d0:"
            + uuid.substring(uuid.length() - 6, uuid.length() - 4)
            + ":"
            + uuid.substring(uuid.length() - 4, uuid.length() - 2)
            + ":"
            + uuid.substring(uuid.length() - 2));
    nic.put("nic_tag", "admin");
    nic.put("ip", "10.0.0.1");
    nic.put("primary", true);
    o.putObject("customer_metadata");
    o.putObject("tags");
    o.put("last_modified", "2026-11-22T10:00:00.000Z");
    return Vm.of(o);
  }

  public static Vm vm(int i) {
    return vm(uuid(i), "vm" + i);
  }

  public static Vm random() {
    return vm(UUID.randomUUID().toString(), "random");
  }
}
