package io.vminfo.benchmarks.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.LoadResult;
import io.vminfo.core.Reload;
import io.vminfo.core.ReloadQueue;
import io.vminfo.core.ReloadResult;
import io.vminfo.core.Vm;
import io.vminfo.core.VmLookup;
import io.vminfo.core.VmSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A host of {@code n} realistic vmadm-style VMs (about 1.5 KB of JSON each) held in memory; a
 * change is reported through the agent's reload queue as a file-watching backend would.
 */
public final class SyntheticHost implements VmSource {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final ConcurrentSkipListMap<String, Vm> vms = new ConcurrentSkipListMap<>();
  private volatile ReloadQueue queue;

  public SyntheticHost(int n) {
    for (int i = 1; i <= n; i++) {
      Vm vm = vm(i, 0);
      vms.put(vm.uuid(), vm);
    }
  }

  public static String uuid(int n) {
    return String.format(Locale.ROOT, "%08x-1111-4222-8333-%012x", n, n);
  }

  /** VM {@code n} at "generation" {@code gen} (its quota and last_modified follow gen). */
  public static Vm vm(int n, long gen) {
    ObjectNode o = NODES.objectNode();
    o.put("uuid", uuid(n));
    o.put("zonename", uuid(n));
    o.put("alias", "bench-vm-" + n);
    o.put("autoboot", true);
    o.put("brand", n % 4 == 0 ? "kvm" : "joyent");
    o.put("state", n % 10 == 0 ? "stopped" : "running");
    o.put("zone_state", n % 10 == 0 ? "installed" : "running");
    if (n % 10 == 0) {
      o.putNull("zoneid");
    } else {
      o.put("zoneid", n);
    }
    o.put("server_uuid", "44454c4c-3800-104b-8050-b4c04f4d4e31");
    o.put("owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853");
    o.put("billing_id", "73a1ca34-1e30-48c7-8681-70314a9c67d3");
    o.put("image_uuid", "e75c9d82-3156-11e5-9aa5-4f8a1bd2b6bc");
    o.put("create_timestamp", "2026-01-15T09:30:00.000Z");
    o.put("max_physical_memory", 2048);
    o.put("max_locked_memory", 2048);
    o.put("max_swap", 4096);
    o.put("max_lwps", 4000);
    o.put("cpu_cap", 200);
    o.put("cpu_shares", 128);
    o.put("zfs_io_priority", 100);
    o.put("quota", 25 + gen);
    o.put("zfs_filesystem", "zones/" + uuid(n));
    o.put("zonepath", "/zones/" + uuid(n));
    o.put("dns_domain", "local");
    ArrayNode nics = o.putArray("nics");
    for (int k = 0; k < 2; k++) {
      ObjectNode nic = nics.addObject();
      nic.put("interface", "net" + k);
      nic.put(
          "mac",
          String.format(Locale.ROOT, "90:b8:d0:%02x:%02x:%02x", k, (n >> 8) & 0xff, n & 0xff));
      nic.put("vlan_id", k == 0 ? 0 : 3102);
      nic.put("nic_tag", k == 0 ? "external" : "internal");
      nic.put("ip", (k == 0 ? "172.16." : "10.64.") + ((n >> 8) & 0xff) + "." + (n & 0xff));
      nic.put("netmask", "255.255.0.0");
      nic.put("gateway", k == 0 ? "172.16.0.1" : "10.64.0.1");
      if (k == 0) {
        nic.put("primary", true);
      }
    }
    ArrayNode disks = o.putArray("disks");
    if (n % 4 == 0) {
      ObjectNode d = disks.addObject();
      d.put("path", "/dev/zvol/rdsk/zones/" + uuid(n) + "-disk0");
      d.put("size", 40960);
      d.put("model", "virtio");
      d.put("boot", true);
    }
    o.putObject("customer_metadata")
        .put(
            "root_authorized_keys",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchKeyBenchKeyBenchKeyBenchKey ops@example");
    o.putObject("internal_metadata").put("package:name", "g4-general-2G");
    o.putObject("tags").put("role", n % 3 == 0 ? "db" : "web");
    o.putArray("resolvers").add("8.8.8.8").add("8.8.4.4");
    o.put("firewall_enabled", false);
    o.put("last_modified", "2026-11-22T10:00:00.000Z");
    return Vm.of(o);
  }

  public List<String> uuids() {
    return new ArrayList<>(vms.keySet());
  }

  /** Replaces VM {@code n} with generation {@code gen} and tells the agent. */
  public void change(int n, long gen) {
    Vm vm = vm(n, gen);
    vms.put(vm.uuid(), vm);
    ReloadQueue q = queue;
    String uuid = vm.uuid();
    q.submit(
        new Reload() {
          @Override
          public String key() {
            return "synthetic:" + uuid;
          }

          @Override
          public ReloadResult run(VmLookup current) {
            return ReloadResult.builder().upsert(vms.get(uuid)).build();
          }
        });
  }

  public Optional<Vm> get(String uuid) {
    return Optional.ofNullable(vms.get(uuid));
  }

  @Override
  public String name() {
    return "synthetic";
  }

  @Override
  public HostIdentity hostIdentity() {
    return new HostIdentity(
        Optional.of("44454c4c-3800-104b-8050-b4c04f4d4e31"), Optional.of("bench-dc"));
  }

  @Override
  public LoadResult loadAll() {
    return new LoadResult(List.copyOf(vms.values()), List.of());
  }

  @Override
  public void start(ReloadQueue queue) {
    this.queue = queue;
  }

  @Override
  public void close() {}
}
