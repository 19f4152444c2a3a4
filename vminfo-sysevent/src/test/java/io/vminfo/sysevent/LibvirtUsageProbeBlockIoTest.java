package io.vminfo.sysevent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.sysevent.internal.libvirt.BlockStats;
import io.vminfo.sysevent.internal.libvirt.BlockStatsReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-disk block I/O in the probe: a real process stands in for QEMU, the block statistics come
 * from a fake at the libvirt boundary.
 */
class LibvirtUsageProbeBlockIoTest {
  static final String UUID = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";

  Process child;

  @AfterEach
  void stopChild() throws Exception {
    if (child != null) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Answers what it is given; an IOException when {@code failure} is set. */
  static final class FakeStats implements BlockStatsReader {
    volatile Map<String, BlockStats.Disk> disks = Map.of();
    volatile String failure;
    final List<String> asked = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, BlockStats.Disk> read(String uuid) throws IOException {
      asked.add(uuid);
      if (failure != null) {
        throw new IOException(failure);
      }
      return disks;
    }

    @Override
    public String transport() {
      return "fake";
    }
  }

  Vm guest() throws IOException {
    child = new ProcessBuilder("sh", "-c", "sleep 60; true", "guest=blk-vm").start();
    return Vm.parse(
        "{\"uuid\":\"" + UUID + "\",\"zonename\":\"blk-vm\",\"pid\":" + child.pid() + "}");
  }

  @Test
  void perDiskCountersKeyedByTargetFromTheProcessStart() throws Exception {
    FakeStats stats = new FakeStats();
    Map<String, BlockStats.Disk> disks = new LinkedHashMap<>();
    disks.put(
        "vda", new BlockStats.Disk(Optional.of("/img/t1.qcow2"), 120, 4_915_200, 30, 122_880));
    disks.put("sdb", new BlockStats.Disk(Optional.empty(), 2, 1024, 0, 0));
    stats.disks = disks;
    LibvirtUsageProbe probe = LibvirtUsageProbe.builder().blockStats(stats).build();
    VmUsage u = probe.sample(guest());
    assertThat(u.problems()).isEmpty();
    assertThat(u.blockIo().keySet()).containsExactly("vda", "sdb");
    VmUsage.BlockIo vda = u.blockIo().get("vda");
    assertThat(vda)
        .isEqualTo(
            new VmUsage.BlockIo(
                Optional.of("/img/t1.qcow2"),
                120,
                4_915_200,
                30,
                122_880,
                u.cpu().orElseThrow().counterStart()));
    assertThat(u.blockIo().get("sdb").path()).isEmpty();
    assertThat(stats.asked).containsExactly(UUID);
  }

  @Test
  void aFailedCallLeavesTheKeysOutAndSaysWhy() throws Exception {
    FakeStats stats = new FakeStats();
    stats.failure = "libvirt has no domain " + UUID + ": Domain not found";
    LibvirtUsageProbe probe = LibvirtUsageProbe.builder().blockStats(stats).build();
    Vm vm = guest();
    VmUsage u = probe.sample(vm);
    assertThat(u.blockIo()).isEmpty();
    assertThat(u.cpu()).as("the rest is still read").isPresent();
    assertThat(u.problems())
        .containsExactly("block io: libvirt has no domain " + UUID + ": Domain not found");

    stats.failure = null;
    stats.disks = Map.of("vda", new BlockStats.Disk(Optional.empty(), 1, 512, 0, 0));
    assertThat(probe.sample(vm).blockIo()).containsOnlyKeys("vda");
  }

  @Test
  void aStoppedGuestIsNotAskedFor() throws Exception {
    FakeStats stats = new FakeStats();
    LibvirtUsageProbe probe = LibvirtUsageProbe.builder().blockStats(stats).build();
    VmUsage stopped = probe.sample(Vm.parse("{\"uuid\":\"" + UUID + "\",\"zonename\":\"blk-vm\"}"));
    assertThat(stopped.blockIo()).isEmpty();
    // destroyed since the VM object was taken: its process is gone
    VmUsage gone =
        probe.sample(
            Vm.parse(
                "{\"uuid\":\""
                    + UUID
                    + "\",\"zonename\":\"blk-vm\",\"pid\":"
                    + Integer.MAX_VALUE
                    + "}"));
    assertThat(gone.blockIo()).isEmpty();
    assertThat(stats.asked).isEmpty();
  }

  @Test
  void withoutLibvirtNothingIsRead() throws Exception {
    LibvirtUsageProbe probe =
        LibvirtUsageProbe.builder().hostRoot(Path.of("/")).blockStatsFromLibvirt(false).build();
    VmUsage u = probe.sample(guest());
    assertThat(u.blockIo()).isEmpty();
    assertThat(u.problems()).isEmpty();
    probe.close();
  }
}
