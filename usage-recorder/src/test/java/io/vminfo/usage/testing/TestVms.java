package io.vminfo.usage.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** VMs and a deterministic probe for tests. */
public final class TestVms {
  public static final String SERVER = "44454c4c-5000-104d-8037-b7c04f5a5131";
  public static final Instant BOOT = Instant.parse("2026-11-20T08:00:00.000Z");

  private TestVms() {}

  /** The uuid of test VM {@code i}. */
  public static String uuid(int i) {
    return String.format("%08x-0000-4000-8000-%012x", i, i);
  }

  public static String mac(int i, int nic) {
    return String.format("90:b8:d0:%02x:%02x:%02x", (i >> 8) & 0xff, i & 0xff, nic);
  }

  /** A complete running SmartOS-style VM with one NIC. */
  public static Vm vm(int i) {
    ObjectNode n = Records.JSON.createObjectNode();
    n.put("uuid", uuid(i));
    n.put("alias", "vm-" + i);
    n.put("zonename", uuid(i));
    n.put("brand", "joyent-minimal");
    n.put("state", "running");
    n.put("zone_state", "running");
    n.put("server_uuid", SERVER);
    n.put("owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853");
    n.put("image_uuid", "e1d03df6-3aa3-4460-8c02-2777c76b1dd8");
    n.put("billing_id", "73a1ca34-1e30-48c7-8681-70314a9c67d3");
    n.put("max_physical_memory", 1024);
    n.put("vcpus", 2);
    n.put("quota", 25);
    ArrayNode nics = n.putArray("nics");
    ObjectNode nic = nics.addObject();
    nic.put("mac", mac(i, 0));
    nic.put("interface", "net0");
    nic.put("primary", true);
    n.put("last_modified", "2026-11-20T08:00:00.000Z");
    return Vm.of(n);
  }

  /** The usage {@link #probe()} reports for VM {@code vm}: a function of the VM only. */
  public static VmUsage usageOf(Vm vm) {
    int h = vm.uuid().hashCode() & 0xffff;
    Map<String, VmUsage.NicUsage> nics = new LinkedHashMap<>();
    for (Vm.Nic nic : vm.nics()) {
      nics.put(
          nic.mac().orElseThrow(),
          new VmUsage.NicUsage(
              nic.interfaceName().orElse("net0"),
              OptionalLong.of(1_000_000L + h),
              OptionalLong.of(2_000L + h),
              OptionalLong.of(900L + h),
              OptionalLong.of(40L + h),
              OptionalLong.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              BOOT));
    }
    Map<String, VmUsage.DiskUsage> disks = new LinkedHashMap<>();
    disks.put(
        "zones/" + vm.uuid(),
        new VmUsage.DiskUsage(OptionalLong.of(4_071_424L + h), OptionalLong.of(26_843_545_600L)));
    return new VmUsage(
        nics,
        Optional.of(new VmUsage.CpuUsage(12.5 + h / 1000.0, BOOT)),
        Optional.of(new VmUsage.MemoryUsage(134_217_728L + h)),
        disks,
        List.of());
  }

  /** A probe returning {@link #usageOf}, throwing for the uuids in {@code failing}. */
  public static UsageProbe probe(Set<String> failing) {
    return vm -> {
      if (failing.contains(vm.uuid())) {
        throw new java.io.IOException("probe of " + vm.uuid() + " broke");
      }
      return usageOf(vm);
    };
  }

  public static UsageProbe probe() {
    return probe(ConcurrentHashMap.newKeySet());
  }
}
