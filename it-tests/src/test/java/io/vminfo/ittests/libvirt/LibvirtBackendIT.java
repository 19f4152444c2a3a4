package io.vminfo.ittests.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmEventType;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmStore;
import io.vminfo.core.VmUsage;
import io.vminfo.ittests.LibvirtHost;
import io.vminfo.sysevent.LibvirtSource;
import io.vminfo.sysevent.LibvirtUsageProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The libvirt backend against a real libvirtd: a 64 MiB guest with an ethernet NIC is defined,
 * started, suspended, resumed, destroyed and undefined; the VM objects and events must agree with
 * {@code virsh dominfo} / {@code virsh domiflist}, and its NIC counters must grow.
 */
@ResourceLock(LibvirtTesting.DAEMON)
class LibvirtBackendIT {
  static final String FALLBACK = "00000000-0000-4000-8000-00000000c0de";
  static final Duration WAIT = Duration.ofSeconds(60);
  static LibvirtHost host;

  VmStore store;
  VmInfoService service;
  final ConcurrentLinkedQueue<VmEvent> events = new ConcurrentLinkedQueue<>();

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

  @BeforeEach
  void startService() throws Exception {
    store = VmStore.builder().build();
    service = VmInfoService.builder(LibvirtSource.builder(FALLBACK).build(), store).build();
    service.start();
    store.addListener(events::add);
  }

  @AfterEach
  void stopService() {
    if (service != null) {
      service.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void followsAGuestThroughItsLifeAndAgreesWithVirsh() throws Exception {
    String name = "vminfo-it-" + UUID.randomUUID().toString().substring(0, 8);
    String uuid = host.defineGuest(name);

    Vm defined = awaitVm(uuid, vm -> vm.state().equals(Optional.of("stopped")));
    assertThat(defined.missingRequiredKeys()).isEmpty();
    assertThat(find(VmEventType.CREATE, uuid)).isPresent();
    agreesWithDominfo(defined, host.dominfo(name));
    assertThat(defined.get("zoneid").orElseThrow().isNull()).isTrue();

    host.startGuest(name);
    Vm running =
        awaitVm(
            uuid,
            vm ->
                vm.state().equals(Optional.of("running"))
                    && vm.nics().stream().allMatch(n -> n.interfaceName().isPresent()));
    Map<String, String> info = host.dominfo(name);
    agreesWithDominfo(running, info);
    assertThat(running.zoneid()).hasValue(Long.parseLong(info.get("Id")));
    assertThat(running.pid())
        .hasValue(
            Long.parseLong(Files.readString(Path.of("/run/libvirt/qemu/" + name + ".pid")).trim()));
    List<LibvirtHost.Interface> ifaces = host.domiflist(name);
    assertThat(ifaces).hasSize(1);
    assertThat(running.nics()).hasSize(1);
    Vm.Nic nic = running.nics().get(0);
    assertThat(nic.interfaceName()).contains(ifaces.get(0).name());
    assertThat(nic.mac()).contains(ifaces.get(0).mac());
    assertThat(nic.model()).contains(ifaces.get(0).model());

    nicCountersGrowAndAgreeWithDomifstat(running, name, ifaces.get(0).name());

    host.suspend(name);
    Vm paused = awaitVm(uuid, vm -> vm.state().equals(Optional.of("paused")));
    agreesWithDominfo(paused, host.dominfo(name));
    assertThat(paused.text("libvirt_reason")).isPresent();
    assertThat(host.virsh("domstate", name, "--reason").trim())
        .isEqualTo("paused (" + paused.text("libvirt_reason").get() + ")");

    host.resume(name);
    Vm resumed = awaitVm(uuid, vm -> vm.state().equals(Optional.of("running")));
    agreesWithDominfo(resumed, host.dominfo(name));

    long t0 = System.nanoTime();
    host.destroy(name);
    System.out.printf(
        "virsh destroy took %d ms (libvirtd %s)%n",
        (System.nanoTime() - t0) / 1_000_000,
        host.ownsDaemon() ? "under the subreaper launcher" : "already running, not ours");
    Vm destroyed = awaitVm(uuid, vm -> vm.state().equals(Optional.of("stopped")));
    agreesWithDominfo(destroyed, host.dominfo(name));
    assertThat(destroyed.pid()).isEmpty();
    assertThat(destroyed.nics().get(0).interfaceName()).isEmpty();

    host.undefine(name);
    await().atMost(WAIT).until(() -> find(VmEventType.DELETE, uuid).isPresent());
    assertThat(store.get(uuid)).isEmpty();
    List<VmEventType> types =
        events.stream().filter(e -> e.uuid().equals(uuid)).map(VmEvent::type).toList();
    assertThat(types.get(0)).isEqualTo(VmEventType.CREATE);
    assertThat(types.get(types.size() - 1)).isEqualTo(VmEventType.DELETE);
    assertThat(types.subList(1, types.size() - 1)).containsOnly(VmEventType.MODIFY);
    assertThat(service.status().vmErrors()).noneMatch(e -> e.key().equals(name));
  }

  @Test
  void aTransientGuestExistsWhileItRuns() throws Exception {
    String name = "vminfo-it-t-" + UUID.randomUUID().toString().substring(0, 8);
    String uuid = host.createTransientGuest(name);
    Vm vm = awaitVm(uuid, v -> v.state().equals(Optional.of("running")));
    assertThat(vm.get("transient").orElseThrow().asBoolean()).isTrue();
    agreesWithDominfo(vm, host.dominfo(name));
    host.destroy(name);
    await().atMost(WAIT).until(() -> find(VmEventType.DELETE, uuid).isPresent());
  }

  /** Our VM object says what {@code virsh dominfo} says. */
  static void agreesWithDominfo(Vm vm, Map<String, String> info) {
    assertThat(vm.uuid()).isEqualTo(info.get("UUID"));
    assertThat(vm.zonename()).contains(info.get("Name"));
    assertThat(LibvirtTesting.virshState(vm.zoneState().orElseThrow()))
        .isEqualTo(info.get("State"));
    assertThat(vm.vcpus()).hasValue(Long.parseLong(info.get("CPU(s)")));
    assertThat(info.get("Max memory"))
        .isEqualTo(vm.maxPhysicalMemory().getAsLong() * 1024 + " KiB");
    assertThat(vm.get("autoboot").orElseThrow().asBoolean())
        .isEqualTo(info.get("Autostart").equals("enable"));
    String id = info.get("Id");
    if (id.equals("-")) {
      assertThat(vm.get("zoneid").orElseThrow().isNull()).isTrue();
    } else {
      assertThat(vm.zoneid()).hasValue(Long.parseLong(id));
    }
  }

  void nicCountersGrowAndAgreeWithDomifstat(Vm vm, String name, String dev) throws Exception {
    LibvirtUsageProbe probe = LibvirtUsageProbe.builder().build();
    VmUsage first = probe.sample(vm);
    assertThat(first.problems()).isEmpty();
    String mac = vm.nics().get(0).mac().orElseThrow();
    VmUsage.NicUsage before = first.nics().get(mac);
    assertThat(before.interfaceName()).isEqualTo(dev);
    assertThat(first.cpu()).isPresent();
    assertThat(first.memory().orElseThrow().rssBytes()).isPositive();

    // Traffic into the guest: link-local multicast out of the host side of its tap.
    await()
        .atMost(WAIT)
        .until(
            () -> {
              LibvirtTesting.sendTo(dev);
              return probe.sample(vm).nics().get(mac).receivedBytes().getAsLong()
                  > before.receivedBytes().getAsLong();
            });
    VmUsage.NicUsage a = probe.sample(vm).nics().get(mac);
    Map<String, Long> stat = host.domifstat(name, dev);
    VmUsage.NicUsage c = probe.sample(vm).nics().get(mac);
    // domifstat reports the guest's view, like our counters
    assertThat(stat.get("rx_bytes"))
        .isBetween(a.receivedBytes().getAsLong(), c.receivedBytes().getAsLong());
    assertThat(stat.get("tx_bytes"))
        .isBetween(a.sentBytes().getAsLong(), c.sentBytes().getAsLong());
    assertThat(c.counterStart()).isEqualTo(before.counterStart());
    assertThat(c.counterStart()).isEqualTo(first.cpu().get().counterStart());
  }

  Vm awaitVm(String uuid, java.util.function.Predicate<Vm> condition) {
    return await()
        .atMost(WAIT)
        .until(() -> store.get(uuid).filter(condition), Optional::isPresent)
        .orElseThrow();
  }

  Optional<VmEvent> find(VmEventType type, String uuid) {
    return events.stream().filter(e -> e.type() == type && e.uuid().equals(uuid)).findFirst();
  }
}
