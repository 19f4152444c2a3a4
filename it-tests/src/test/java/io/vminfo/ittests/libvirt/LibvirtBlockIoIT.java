package io.vminfo.ittests.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.ittests.LibvirtHost;
import io.vminfo.sysevent.LibvirtUsageProbe;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Per-disk block I/O ({@code block_io}) read through libvirt's library, against {@code virsh
 * domblkstat} on a real libvirtd: a guest with a raw virtio disk whose firmware reads its first
 * sector, then idles, so the counters can be compared exactly.
 */
@ResourceLock(LibvirtTesting.DAEMON)
class LibvirtBlockIoIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static LibvirtHost host;

  @TempDir Path tmp;

  @BeforeAll
  static void startLibvirt() {
    host = LibvirtTesting.startOrSkip();
  }

  @AfterAll
  static void stopLibvirt() {
    if (host != null) {
      host.close();
    }
  }

  @Test
  void perDiskCountersAreWhatVirshDomblkstatSays() throws Exception {
    String name = "vminfo-it-blk-" + UUID.randomUUID().toString().substring(0, 8);
    Path image = tmp.resolve(name + ".raw");
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(16L << 20); // sparse, all zeros: no boot signature
    }
    String uuid = host.defineGuestWithDisk(name, image);
    host.startGuest(name);
    long pid =
        Long.parseLong(Files.readString(Path.of("/run/libvirt/qemu/" + name + ".pid")).trim());
    Vm vm =
        Vm.parse(
            "{\"uuid\":\""
                + uuid
                + "\",\"zonename\":\""
                + name
                + "\",\"state\":\"running\","
                + "\"pid\":"
                + pid
                + "}");

    try (LibvirtUsageProbe probe = LibvirtUsageProbe.builder().build()) {
      // The firmware has read the disk, and is past it (two domblkstat answers alike).
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                Map<String, Long> a = host.domblkstat(name, "vda");
                return a.get("rd_req") > 0 && a.equals(host.domblkstat(name, "vda"));
              });
      Map<String, Long> before = host.domblkstat(name, "vda");
      VmUsage u = probe.sample(vm);
      Map<String, Long> after = host.domblkstat(name, "vda");
      System.out.printf("LibvirtBlockIoIT: domblkstat %s, probe %s%n", before, u.blockIo());

      assertThat(u.problems()).isEmpty();
      assertThat(u.blockIo()).containsOnlyKeys("vda");
      VmUsage.BlockIo vda = u.blockIo().get("vda");
      assertThat(vda.path()).contains(image.toAbsolutePath().toString());
      assertThat(vda.readRequests()).isBetween(before.get("rd_req"), after.get("rd_req"));
      assertThat(vda.readBytes()).isBetween(before.get("rd_bytes"), after.get("rd_bytes"));
      assertThat(vda.writeRequests()).isBetween(before.get("wr_req"), after.get("wr_req"));
      assertThat(vda.writeBytes()).isBetween(before.get("wr_bytes"), after.get("wr_bytes"));
      if (before.equals(after)) {
        assertThat(vda.readRequests()).as("an idle guest: exactly").isEqualTo(before.get("rd_req"));
        assertThat(vda.readBytes()).isEqualTo(before.get("rd_bytes"));
      }
      assertThat(vda.readBytes()).isPositive();
      assertThat(vda.counterStart()).isEqualTo(u.cpu().orElseThrow().counterStart());

      host.destroy(name);
      VmUsage gone = probe.sample(vm);
      assertThat(gone.blockIo()).as("a destroyed guest: left out, not invented").isEmpty();
    } finally {
      try {
        if (host.virsh("domstate", name).trim().equals("running")) {
          host.destroy(name); // a failed assertion above: an undefined running guest would stay
        }
        host.undefine(name);
      } catch (java.io.IOException e) {
        System.out.println("LibvirtBlockIoIT: cleanup: " + e.getMessage()); // not the failure
      }
    }
  }
}
