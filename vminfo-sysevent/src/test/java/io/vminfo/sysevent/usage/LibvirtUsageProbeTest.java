package io.vminfo.sysevent.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vminfo.core.Vm;
import io.vminfo.core.VmUsage;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.sysevent.LibvirtUsageProbe;
import io.vminfo.sysevent.internal.usage.NativeStat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvirtUsageProbeTest {
  static final String UUID = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
  static final String MAC = "52:54:00:12:34:56";

  @TempDir Path tmp;
  Process child;

  @AfterEach
  void stopChild() throws Exception {
    if (child != null) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static Vm vm(String name, long pid, String dev) {
    return Vm.parse(
        "{\"uuid\":\""
            + UUID
            + "\",\"zonename\":\""
            + name
            + "\",\"pid\":"
            + pid
            + ",\"nics\":[{\"mac\":\""
            + MAC
            + "\",\"interface\":\""
            + dev
            + "\",\"primary\":true}]}");
  }

  @Test
  void readsARealProcessAndARealInterface() throws Exception {
    child = new ProcessBuilder("sh", "-c", "sleep 60; true", "guest=probe-vm").start();
    Instant started = child.info().startInstant().orElseThrow();
    VmUsage u =
        LibvirtUsageProbe.builder()
            .blockStatsFromLibvirt(false)
            .build()
            .sample(vm("probe-vm", child.pid(), "lo"));
    assertThat(u.problems()).isEmpty();
    VmUsage.CpuUsage cpu = u.cpu().orElseThrow();
    assertThat(cpu.cpuSeconds()).isGreaterThanOrEqualTo(0);
    assertThat(Duration.between(started, cpu.counterStart()).abs())
        .isLessThan(Duration.ofSeconds(2));
    assertThat(u.memory().orElseThrow().rssBytes()).isPositive();
    VmUsage.NicUsage lo = u.nics().get(MAC);
    assertThat(lo.interfaceName()).isEqualTo("lo");
    assertThat(lo.receivedBytes()).isPresent();
    assertThat(lo.sentBytes()).isPresent();
    assertThat(lo.counterStart()).isEqualTo(cpu.counterStart());
    VmUsage.DiskIo io = u.diskIo().orElseThrow(); // /proc/<pid>/io of a real process
    assertThat(io.readBytes()).isNotNegative();
    assertThat(io.counterStart()).isEqualTo(cpu.counterStart());
  }

  /** NIC errors and drops (swapped to the guest's view), the balloon and the disk I/O. */
  @Test
  void errorsDropsBalloonAndDiskIo() throws Exception {
    Path root = tmp.resolve("host");
    proc(root, 4242, "/machine/qemu-3-t1.libvirt-qemu/emulator", "4:cpu,cpuacct:");
    write(
        root,
        "proc/4242/io",
        "rchar: 900000\nwchar: 800000\nsyscr: 120\nsyscw: 80\n"
            + "read_bytes: 409600\nwrite_bytes: 1228800\ncancelled_write_bytes: 4096\n");
    write(
        root,
        "run/libvirt/qemu/t1.xml",
        "<domstatus state='running' reason='booted' pid='4242'>"
            + "<domain type='kvm' id='3'><name>t1</name><uuid>"
            + UUID
            + "</uuid>"
            + "<memory unit='KiB'>2097152</memory><currentMemory unit='KiB'>1572864</currentMemory>"
            + "</domain></domstatus>");
    nic(root, "vnet0", 7, 1000, 2000, 10, 20);
    VmUsage u = LibvirtUsageProbe.builder().hostRoot(root).build().sample(vm("t1", 4242, "vnet0"));
    assertThat(u.problems()).isEmpty();
    VmUsage.NicUsage n = u.nics().get(MAC);
    // host: rx_errors 0, tx_errors 1, rx_dropped 2, tx_dropped 3
    assertThat(n.receivedErrors()).hasValue(1);
    assertThat(n.sentErrors()).hasValue(0);
    assertThat(n.receivedDrops()).hasValue(3);
    assertThat(n.sentDrops()).hasValue(2);
    assertThat(u.memory().orElseThrow().balloonBytes()).hasValue(1572864L * 1024);
    VmUsage.DiskIo io = u.diskIo().orElseThrow();
    assertThat(io.readBytes()).isEqualTo(409600);
    assertThat(io.writeBytes()).isEqualTo(1228800);
    assertThat(io.counterStart()).isEqualTo(u.cpu().orElseThrow().counterStart());

    // a kernel without task I/O accounting (no such lines), a status file without currentMemory
    write(root, "proc/4242/io", "rchar: 900000\nwchar: 800000\n");
    write(
        root,
        "run/libvirt/qemu/t1.xml",
        "<domstatus state='running' pid='4242'>"
            + "<domain type='kvm'><name>t1</name><uuid>"
            + UUID
            + "</uuid></domain></domstatus>");
    VmUsage without =
        LibvirtUsageProbe.builder().hostRoot(root).build().sample(vm("t1", 4242, "vnet0"));
    assertThat(without.problems()).isEmpty();
    assertThat(without.diskIo()).isEmpty();
    assertThat(without.memory().orElseThrow().balloonBytes()).isEmpty();

    // a broken status file is a problem of that sample, not a failed probe
    write(root, "run/libvirt/qemu/t1.xml", "<domstatus");
    VmUsage broken =
        LibvirtUsageProbe.builder().hostRoot(root).build().sample(vm("t1", 4242, "vnet0"));
    assertThat(broken.cpu()).isPresent();
    assertThat(broken.problems()).anySatisfy(p -> assertThat(p).startsWith("balloon: "));
  }

  @Test
  void refusesAPidThatIsNotTheGuest() throws Exception {
    child = new ProcessBuilder("sh", "-c", "sleep 60; true", "guest=probe-vm").start();
    VmUsage u =
        LibvirtUsageProbe.builder()
            .blockStatsFromLibvirt(false)
            .build()
            .sample(vm("another-vm", child.pid(), "lo"));
    assertThat(u.cpu()).isEmpty();
    assertThat(u.problems()).anySatisfy(p -> assertThat(p).contains("is not the guest"));
  }

  @Test
  void cgroupV1CpuSwappedNicDirectionsAndCounterResets() throws Exception {
    Path root = tmp.resolve("host");
    long ticks = NativeStat.clockTicksPerSecond();
    proc(root, 4242, "/machine/qemu-3-t1.libvirt-qemu/emulator", "4:cpu,cpuacct:");
    write(
        root,
        "sys/fs/cgroup/cpu,cpuacct/machine/qemu-3-t1.libvirt-qemu/cpuacct.usage",
        "12500000000");
    nic(root, "vnet0", 7, 1000, 2000, 10, 20);
    ManualClock clock = ManualClock.at("2026-11-22T10:00:00Z");
    LibvirtUsageProbe probe = LibvirtUsageProbe.builder().hostRoot(root).clock(clock).build();

    VmUsage u = probe.sample(vm("t1", 4242, "vnet0"));
    assertThat(u.problems()).isEmpty();
    Instant processStart = Instant.ofEpochSecond(1_700_000_000L).plusMillis(50_000L * 1000 / ticks);
    assertThat(u.cpu().orElseThrow().cpuSeconds()).isCloseTo(12.5, within(1e-9));
    assertThat(u.cpu().orElseThrow().counterStart()).isEqualTo(processStart);
    assertThat(u.memory().orElseThrow().rssBytes()).isEqualTo(43_000L * 1024);
    VmUsage.NicUsage n = u.nics().get(MAC);
    // host rx = what the guest sent; host tx = what the guest received
    assertThat(n.receivedBytes()).hasValue(2000);
    assertThat(n.sentBytes()).hasValue(1000);
    assertThat(n.receivedPackets()).hasValue(20);
    assertThat(n.sentPackets()).hasValue(10);
    assertThat(n.counterStart()).isEqualTo(processStart);

    clock.advance(Duration.ofMinutes(1));
    nic(root, "vnet0", 7, 1500, 2600, 15, 26);
    assertThat(probe.sample(vm("t1", 4242, "vnet0")).nics().get(MAC).counterStart())
        .isEqualTo(processStart);

    clock.advance(Duration.ofMinutes(1));
    nic(root, "vnet0", 9, 100, 100, 1, 1); // tap re-created (hot-unplug/plug): new ifindex
    assertThat(probe.sample(vm("t1", 4242, "vnet0")).nics().get(MAC).counterStart())
        .isEqualTo(clock.instant());

    Instant reset = clock.instant();
    clock.advance(Duration.ofMinutes(1));
    nic(root, "vnet0", 9, 50, 200, 1, 2); // a counter went down
    assertThat(probe.sample(vm("t1", 4242, "vnet0")).nics().get(MAC).counterStart())
        .isEqualTo(clock.instant())
        .isAfter(reset);
  }

  @Test
  void cgroupV2MachineSliceAndDiskAllocation() throws Exception {
    Path root = tmp.resolve("host");
    String cg = "/machine.slice/machine-qemu\\x2d1\\x2dt2.scope/libvirt/emulator";
    proc(root, 777, cg, "0::");
    write(
        root,
        "sys/fs/cgroup/machine.slice/machine-qemu\\x2d1\\x2dt2.scope/libvirt/cpu.stat",
        "usage_usec 3250000\nuser_usec 3000000\nsystem_usec 250000\n");
    Path image = root.resolve("var/lib/libvirt/images/t2.qcow2");
    Files.createDirectories(image.getParent());
    ByteBuffer header = ByteBuffer.allocate(256 * 1024);
    header.put(new byte[] {'Q', 'F', 'I', (byte) 0xfb}).putInt(3).position(24);
    header.putLong(10L * 1024 * 1024 * 1024);
    Files.write(image, header.array());
    Vm vm =
        Vm.parse(
            "{\"uuid\":\""
                + UUID
                + "\",\"zonename\":\"t2\",\"pid\":777,\"nics\":[],"
                + "\"disks\":[{\"path\":\"/var/lib/libvirt/images/t2.qcow2\",\"boot\":true},"
                + "{\"path\":\"/dev/sdz\"}]}");
    VmUsage u = LibvirtUsageProbe.builder().hostRoot(root).build().sample(vm);
    assertThat(u.cpu().orElseThrow().cpuSeconds()).isCloseTo(3.25, within(1e-9));
    VmUsage.DiskUsage d = u.disks().get("/var/lib/libvirt/images/t2.qcow2");
    assertThat(d.sizeBytes()).hasValue(10L * 1024 * 1024 * 1024);
    assertThat(d.usedBytes().orElseThrow()).isPositive();
    assertThat(u.disks()).containsOnlyKeys("/var/lib/libvirt/images/t2.qcow2");
  }

  @Test
  void aBlockDeviceDiskGetsItsSizeFromSysfs() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("host"));
    Files.createDirectories(root.resolve("dev/vg0"));
    Process mknod =
        new ProcessBuilder("mknod", root.resolve("dev/loop7").toString(), "b", "7", "7")
            .redirectErrorStream(true)
            .start();
    String out = new String(mknod.getInputStream().readAllBytes());
    org.junit.jupiter.api.Assumptions.assumeTrue(
        mknod.waitFor() == 0, "skipped: cannot make a block device node here (needs root): " + out);
    // LVM names are symlinks to the kernel's device (/dev/vg0/data -> ../loop7).
    Files.createSymbolicLink(root.resolve("dev/vg0/data"), Path.of("../loop7"));
    write(root, "sys/class/block/loop7/size", "2097152\n");
    Process fifo = new ProcessBuilder("mkfifo", root.resolve("dev/fifo").toString()).start();
    assertThat(fifo.waitFor()).isZero();
    Vm vm =
        Vm.parse(
            "{\"uuid\":\""
                + UUID
                + "\",\"zonename\":\"t4\",\"nics\":[],"
                + "\"disks\":[{\"path\":\"/dev/vg0/data\"},{\"path\":\"/dev/fifo\"},{\"path\":\"/dev/gone\"}]}");
    VmUsage u = LibvirtUsageProbe.builder().hostRoot(root).build().sample(vm);
    assertThat(u.disks()).containsOnlyKeys("/dev/vg0/data");
    VmUsage.DiskUsage d = u.disks().get("/dev/vg0/data");
    assertThat(d.sizeBytes()).hasValue(1024L * 1024 * 1024);
    assertThat(d.usedBytes()).as("allocation of a block device is not known").isEmpty();
  }

  @Test
  void aStoppedOrVanishedGuestHasNoCountersButSaysWhy() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("host"));
    VmUsage u = LibvirtUsageProbe.builder().hostRoot(root).build().sample(vm("t3", 99999, "vnet9"));
    assertThat(u.cpu()).isEmpty();
    assertThat(u.nics()).isEmpty();
    assertThat(u.problems())
        .anySatisfy(p -> assertThat(p).contains("gone"))
        .anySatisfy(p -> assertThat(p).contains("vnet9"));
    Vm stopped = Vm.parse("{\"uuid\":\"" + UUID + "\",\"nics\":[{\"mac\":\"" + MAC + "\"}]}");
    assertThat(LibvirtUsageProbe.builder().hostRoot(root).build().sample(stopped))
        .isEqualTo(
            new VmUsage(
                Map.of(),
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                Map.of(),
                java.util.List.of()));
  }

  static void proc(Path root, long pid, String cgroup, String cgPrefix) throws IOException {
    write(root, "proc/stat", "cpu  1 2 3 4\nbtime 1700000000\nprocesses 10\n");
    StringBuilder stat =
        new StringBuilder(pid + " (qemu-system-x86) S 1 1 1 0 -1 4194560 0 0 0 0 ");
    stat.append("800 450 0 0 20 0 3 0 50000 1000000 10750 18446744073709551615\n");
    write(root, "proc/" + pid + "/stat", stat.toString());
    write(root, "proc/" + pid + "/status", "Name:\tqemu-system-x86\nVmRSS:\t   43000 kB\n");
    write(
        root,
        "proc/" + pid + "/cmdline",
        "/usr/bin/qemu-system-x86_64\0-name\0guest=t1,debug-threads=on\0"
            .replace("t1", cgroup.contains("t2") ? "t2" : "t1"));
    write(root, "proc/" + pid + "/cgroup", "12:memory:/x\n" + cgPrefix + cgroup + "\n");
  }

  static void nic(Path root, String dev, int ifindex, long rxB, long txB, long rxP, long txP)
      throws IOException {
    String base = "sys/class/net/" + dev + "/";
    write(root, base + "ifindex", ifindex + "\n");
    write(root, base + "statistics/rx_bytes", rxB + "\n");
    write(root, base + "statistics/tx_bytes", txB + "\n");
    write(root, base + "statistics/rx_packets", rxP + "\n");
    write(root, base + "statistics/tx_packets", txP + "\n");
    write(root, base + "statistics/rx_errors", "0\n");
    write(root, base + "statistics/tx_errors", "1\n");
    write(root, base + "statistics/rx_dropped", "2\n");
    write(root, base + "statistics/tx_dropped", "3\n");
  }

  static void write(Path root, String rel, String content) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }
}
