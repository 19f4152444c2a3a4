package io.vminfo.benchmarks.usage;

import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Realistic VMs and counters for the usage benchmarks: a KVM-like VM with two NICs and two disks,
 * every usage part present, so each record is about as large as a real one (~900 bytes).
 */
final class UsageBenchData {
  static final String SERVER = "44454c4c-5000-104d-8037-b7c04f5a5131";
  static final Instant BOOT = Instant.parse("2026-11-20T08:00:00.000Z");

  private UsageBenchData() {}

  static List<Vm> vms(int n) {
    List<Vm> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String uuid = String.format("%08x-1111-4222-8333-%012x", i, i * 7919L);
      Vm.Builder b =
          Vm.Builder.create(uuid)
              .put("alias", "customer-vm-" + i)
              .put("zonename", uuid)
              .put("brand", "kvm")
              .put("state", "running")
              .put("zone_state", "running")
              .put("server_uuid", SERVER)
              .put("owner_uuid", "930896af-bf8c-48d4-885c-6573a94b1853")
              .put("image_uuid", "e1d03df6-3aa3-4460-8c02-2777c76b1dd8")
              .put("billing_id", "73a1ca34-1e30-48c7-8681-70314a9c67d3")
              .put("max_physical_memory", 4096)
              .put("vcpus", 4)
              .put("quota", 100)
              .put("last_modified", "2026-11-20T08:00:00.000Z");
      int index = i;
      out.add(
          b.build()
              .with(
                  o -> {
                    var nics = o.putArray("nics");
                    for (int k = 0; k < 2; k++) {
                      var nic = nics.addObject();
                      nic.put("mac", mac(index, k));
                      nic.put("interface", "net" + k);
                    }
                  }));
    }
    return out;
  }

  static String mac(int i, int nic) {
    return String.format("90:b8:d0:%02x:%02x:%02x", (i >> 8) & 0xff, i & 0xff, nic);
  }

  /** Counters that grow with time, like real ones. */
  static UsageProbe probe(Clock clock) {
    return vm -> {
      long t = clock.millis() / 1000;
      int h = vm.uuid().hashCode() & 0xffff;
      Map<String, VmUsage.NicUsage> nics = new LinkedHashMap<>();
      int k = 0;
      for (Vm.Nic nic : vm.nics()) {
        nics.put(
            nic.mac().orElseThrow(),
            new VmUsage.NicUsage(
                "vnet" + (h + k++),
                OptionalLong.of(t * 1200 + h),
                OptionalLong.of(t * 800 + h),
                OptionalLong.of(t * 9 + h),
                OptionalLong.of(t * 6 + h),
                OptionalLong.of(0),
                OptionalLong.of(0),
                OptionalLong.of(0),
                OptionalLong.of(0),
                BOOT));
      }
      Map<String, VmUsage.DiskUsage> disks = new LinkedHashMap<>();
      disks.put(
          "/var/lib/libvirt/images/" + vm.uuid() + "-disk0.qcow2",
          new VmUsage.DiskUsage(
              OptionalLong.of(10_737_418_240L + h), OptionalLong.of(107_374_182_400L)));
      disks.put(
          "/var/lib/libvirt/images/" + vm.uuid() + "-disk1.qcow2",
          new VmUsage.DiskUsage(
              OptionalLong.of(1_073_741_824L + h), OptionalLong.of(53_687_091_200L)));
      return new VmUsage(
          nics,
          Optional.of(new VmUsage.CpuUsage(t * 0.37 + h / 1000.0, BOOT)),
          Optional.of(new VmUsage.MemoryUsage(3_221_225_472L + h * 4096L)),
          disks,
          List.of());
    };
  }

  /** A clock the benchmark moves by hand. */
  static final class SteppingClock extends Clock {
    private volatile Instant now;

    SteppingClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
