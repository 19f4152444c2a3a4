package io.vminfo.sysevent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.LoadResult;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmEventType;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmStore;
import io.vminfo.core.testing.SharedFixtures;
import io.vminfo.sysevent.LibvirtSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libvirt backend on a temp host tree with real files and inotify. */
class LibvirtSourceTest {
  static final String FALLBACK = "00000000-0000-4000-8000-0000000000bb";
  static final String WEB = "3c2e8a51-7d4b-4f0e-9a61-2b8c5d7e9f13";
  static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path tmp;
  Path root;
  Path etc;
  Path run;
  final List<AutoCloseable> toClose = new ArrayList<>();
  final ConcurrentLinkedQueue<VmEvent> events = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> reloads = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void tree() throws IOException {
    root = Files.createDirectories(tmp.resolve("host"));
    etc = root.resolve("etc/libvirt/qemu");
    run = root.resolve("run/libvirt/qemu");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  LibvirtSource source() throws IOException {
    return LibvirtSource.builder(FALLBACK).hostRoot(root).build();
  }

  VmInfoService start() throws Exception {
    VmStore store = VmStore.builder().build();
    VmInfoService svc =
        VmInfoService.builder(source(), store)
            .observer((key, took, outcome) -> reloads.add(key))
            .build();
    toClose.add(store);
    toClose.add(svc);
    svc.start();
    toClose.add(store.addListener(events::add));
    return svc;
  }

  @Test
  void mapsTheCapturedStatusFileOfARunningGuest() throws Exception {
    Optional<Path> status =
        Optional.of(
            SharedFixtures.require(
                "libvirt/status-running-2nics.xml", "libvirt status-file conformance"));
    Optional<Path> persistent =
        Optional.of(
            SharedFixtures.require(
                "libvirt/persistent-demo-net.xml", "libvirt status-file conformance"));
    Files.createDirectories(etc);
    Files.createDirectories(run);
    Files.copy(status.get(), run.resolve("demo-net.xml"));
    Files.copy(persistent.get(), etc.resolve("demo-net.xml"));
    try (LibvirtSource src = source()) {
      LoadResult r = src.loadAll();
      assertThat(r.errors()).isEmpty();
      Vm vm = r.vms().get(0);
      assertThat(vm.missingRequiredKeys()).isEmpty();
      assertThat(vm.uuid()).isEqualTo("6c3c86bf-473f-4fd4-bff5-fd1ab6e7c33f");
      assertThat(vm.zonename()).contains("demo-net");
      assertThat(vm.alias()).contains("demo-net");
      assertThat(vm.brand()).contains("qemu");
      assertThat(vm.state()).contains("running");
      assertThat(vm.zoneState()).contains("running");
      assertThat(vm.text("libvirt_reason")).contains("booted");
      assertThat(vm.pid()).hasValue(19239);
      assertThat(vm.zoneid()).hasValue(6);
      assertThat(vm.maxPhysicalMemory()).hasValue(64);
      assertThat(vm.vcpus()).hasValue(1);
      assertThat(vm.serverUuid()).contains(FALLBACK);
      assertThat(vm.nics()).hasSize(2);
      assertThat(vm.nics().get(0))
          .isEqualTo(
              new Vm.Nic(
                  Optional.of("52:54:00:55:b2:0f"),
                  Optional.of("vnet0"),
                  Optional.of("virtio"),
                  Optional.empty(),
                  true));
      assertThat(vm.nics().get(1))
          .isEqualTo(
              new Vm.Nic(
                  Optional.of("52:54:00:f1:bf:05"),
                  Optional.of("vnet1"),
                  Optional.of("e1000"),
                  Optional.of("demobr0"),
                  false));
    }
  }

  @Test
  void mapsOurOwnFixturesIncludingNovaAndVminfoMetadata() throws Exception {
    Files.createDirectories(etc.resolve("autostart"));
    Files.createDirectories(run);
    Files.write(etc.resolve("web-7.xml"), resource("own-persistent-web.xml"));
    Files.createSymbolicLink(etc.resolve("autostart/web-7.xml"), etc.resolve("web-7.xml"));
    Path images = Files.createDirectories(root.resolve("var/lib/libvirt/images"));
    Files.write(images.resolve("web-7.qcow2"), qcow2Header(20L * 1024 * 1024 * 1024));
    Files.write(images.resolve("seed.iso"), new byte[3 * 1024 * 1024]);
    try (LibvirtSource src = source()) {
      Vm stopped = src.loadAll().vms().get(0);
      assertThat(stopped.state()).contains("stopped");
      assertThat(stopped.zoneState()).contains("shutoff");
      assertThat(stopped.get("zoneid").orElseThrow().isNull()).isTrue();
      assertThat(stopped.pid()).isEmpty();
      assertThat(stopped.brand()).contains("kvm");
      assertThat(stopped.maxPhysicalMemory()).hasValue(2048);
      assertThat(stopped.get("autoboot").orElseThrow().asBoolean()).isTrue();
      assertThat(stopped.ownerUuid()).contains("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
      assertThat(stopped.billingId()).contains("7e6d5c4b-3a29-4187-9605-f4e3d2c1b0a9");
      assertThat(stopped.imageUuid()).contains("9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a");
      assertThat(stopped.text("package_name")).contains("m1.small");
      JsonNode cm = stopped.get("customer_metadata").orElseThrow();
      assertThat(cm.path("role").asText()).isEqualTo("web");
      assertThat(cm.path("user-script").asText()).contains("echo hi");
      assertThat(stopped.nics())
          .extracting(n -> n.mac().orElseThrow())
          .containsExactly("52:54:00:ab:cd:01", "52:54:00:ab:cd:02");
      assertThat(stopped.nics()).allSatisfy(n -> assertThat(n.interfaceName()).isEmpty());
      assertThat(stopped.disks()).hasSize(2);
      assertThat(stopped.disks().get(0))
          .isEqualTo(
              new Vm.Disk(
                  Optional.of("/var/lib/libvirt/images/web-7.qcow2"),
                  java.util.OptionalLong.of(20480),
                  Optional.of("virtio"),
                  true));
      assertThat(stopped.disks().get(1).sizeMiB()).hasValue(3);
      assertThat(stopped.disks().get(1).boot()).isFalse();

      Files.write(run.resolve("web-7.xml"), resource("own-status-web-paused.xml"));
      Vm paused = src.loadAll().vms().get(0);
      assertThat(paused.state()).contains("paused");
      assertThat(paused.text("libvirt_reason")).contains("user");
      assertThat(paused.pid()).hasValue(4242);
      assertThat(paused.zoneid()).hasValue(12);
      assertThat(paused.nics())
          .extracting(n -> n.interfaceName().orElseThrow())
          .containsExactly("vnet3", "vnet4");
      assertThat(paused.missingRequiredKeys()).isEmpty();
    }
  }

  @Test
  void vcpusIsTheCurrentCountAndMaxVcpusTheCeilingAsVirshDominfoSaysThem() throws Exception {
    // virsh dominfo on libvirt 9.0 says "CPU(s): 1" for <vcpu current='1'>2</vcpu>: 2 is only
    // what a hot-plug may reach.
    Files.createDirectories(etc);
    String xml =
        new String(resource("own-persistent-web.xml"), StandardCharsets.UTF_8)
            .replace(
                "<vcpu placement='static'>2</vcpu>",
                "<vcpu placement='static' current='1'>2</vcpu>");
    Files.writeString(etc.resolve("web-7.xml"), xml);
    try (LibvirtSource src = source()) {
      Vm vm = src.loadAll().vms().get(0);
      assertThat(vm.vcpus()).hasValue(1);
      assertThat(vm.integer("max_vcpus")).hasValue(2);
    }
    Files.write(etc.resolve("web-7.xml"), resource("own-persistent-web.xml"));
    try (LibvirtSource src = source()) {
      Vm vm = src.loadAll().vms().get(0);
      assertThat(vm.vcpus()).hasValue(2);
      assertThat(vm.integer("max_vcpus")).hasValue(2);
    }
  }

  @Test
  void followsADomainThroughDefineStartSuspendDestroyUndefine() throws Exception {
    Files.createDirectories(etc);
    VmInfoService svc = start(); // /run/libvirt/qemu does not exist yet: libvirtd is not running
    byte[] persistent = resource("own-persistent-web.xml");
    byte[] paused = resource("own-status-web-paused.xml");
    String running =
        new String(paused, StandardCharsets.UTF_8)
            .replace("state='paused' reason='user'", "state='running' reason='booted'");

    libvirtWrite(etc.resolve("web-7.xml"), persistent);
    VmEvent create =
        await().atMost(WAIT).until(() -> find(VmEventType.CREATE), Optional::isPresent).get();
    assertThat(create.vm().orElseThrow().state()).contains("stopped");

    Files.createDirectories(run); // libvirtd starts
    libvirtWrite(run.resolve("web-7.xml"), running.getBytes(StandardCharsets.UTF_8));
    Files.writeString(run.resolve("web-7.pid"), "4242");
    await().atMost(WAIT).until(() -> state(svc).equals(Optional.of("running")));
    assertThat(svc.store().get(WEB).orElseThrow().pid()).hasValue(4242);

    libvirtWrite(run.resolve("web-7.xml"), paused);
    await().atMost(WAIT).until(() -> state(svc).equals(Optional.of("paused")));

    Files.delete(run.resolve("web-7.xml"));
    Files.delete(run.resolve("web-7.pid"));
    await().atMost(WAIT).until(() -> state(svc).equals(Optional.of("stopped")));
    assertThat(svc.store().get(WEB).orElseThrow().get("zoneid").orElseThrow().isNull()).isTrue();

    Files.delete(etc.resolve("web-7.xml"));
    await().atMost(WAIT).until(() -> find(VmEventType.DELETE).isPresent());
    assertThat(events)
        .extracting(VmEvent::type)
        .containsExactly(
            VmEventType.CREATE,
            VmEventType.MODIFY,
            VmEventType.MODIFY,
            VmEventType.MODIFY,
            VmEventType.DELETE);
    assertThat(reloads).noneMatch(k -> k.contains(".new") || k.contains(".pid"));
  }

  /**
   * A host whose first {@code virsh autostart} comes after the agent started: libvirt creates
   * {@code autostart/} then, and every link in it from then on counts, the first one included.
   */
  @Test
  void anAutostartDirectoryMadeAfterTheStartIsWatchedFromThenOn() throws Exception {
    Files.createDirectories(etc);
    Files.write(etc.resolve("web-7.xml"), resource("own-persistent-web.xml"));
    String db =
        new String(resource("own-persistent-web.xml"), StandardCharsets.UTF_8)
            .replace("web-7", "db-1")
            .replace(WEB, "4d3f9b62-8e5c-4a1f-8b72-3c9d6e8f0a24");
    Files.writeString(etc.resolve("db-1.xml"), db);
    VmInfoService svc = start();
    assertThat(autoboot(svc, "web-7")).contains(false);

    Files.createDirectories(etc.resolve("autostart"));
    Files.createSymbolicLink(etc.resolve("autostart/web-7.xml"), Path.of("../web-7.xml"));
    await().atMost(WAIT).until(() -> autoboot(svc, "web-7").equals(Optional.of(true)));

    // Now watched: a later link and an unlink are events of their own.
    Files.createSymbolicLink(etc.resolve("autostart/db-1.xml"), Path.of("../db-1.xml"));
    await().atMost(WAIT).until(() -> autoboot(svc, "db-1").equals(Optional.of(true)));
    Files.delete(etc.resolve("autostart/web-7.xml"));
    await().atMost(WAIT).until(() -> autoboot(svc, "web-7").equals(Optional.of(false)));
  }

  private static Optional<Boolean> autoboot(VmInfoService svc, String name) {
    return svc.store().getByZonename(name).flatMap(v -> v.get("autoboot")).map(JsonNode::asBoolean);
  }

  @Test
  void aRenameOverIsExactlyOneReloadAndNewFilesAreNeverRead() throws Exception {
    Files.createDirectories(etc);
    Files.createDirectories(run);
    Files.write(etc.resolve("web-7.xml"), resource("own-persistent-web.xml"));
    VmInfoService svc = start();
    Files.writeString(etc.resolve("other.xml.new"), "<garbage");
    String changed =
        new String(resource("own-persistent-web.xml"), StandardCharsets.UTF_8)
            .replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>4</vcpu>");
    libvirtWrite(etc.resolve("web-7.xml"), changed.getBytes(StandardCharsets.UTF_8));
    await()
        .atMost(WAIT)
        .until(
            () -> svc.store().get(WEB).orElseThrow().vcpus().equals(java.util.OptionalLong.of(4)));

    // barrier: a second domain defined afterwards
    String other =
        new String(resource("own-persistent-web.xml"), StandardCharsets.UTF_8)
            .replace("web-7", "db-1")
            .replace(WEB, "4d3f9b62-8e5c-4a1f-8b72-3c9d6e8f0a24");
    libvirtWrite(etc.resolve("db-1.xml"), other.getBytes(StandardCharsets.UTF_8));
    await().atMost(WAIT).until(() -> svc.store().getByZonename("db-1").isPresent());
    assertThat(svc.awaitIdle(WAIT)).isTrue();
    assertThat(reloads.stream().filter("libvirt:domain:web-7"::equals)).hasSize(1);
    assertThat(reloads).noneMatch(k -> k.contains("other"));
    assertThat(svc.status().vmErrors()).isEmpty();
  }

  @Test
  void aTransientDomainHasOnlyAStatusFile() throws Exception {
    Files.createDirectories(run);
    VmInfoService svc = start();
    libvirtWrite(run.resolve("web-7.xml"), resource("own-status-web-paused.xml"));
    VmEvent create =
        await().atMost(WAIT).until(() -> find(VmEventType.CREATE), Optional::isPresent).get();
    assertThat(create.vm().orElseThrow().get("transient").orElseThrow().asBoolean()).isTrue();
    Files.delete(run.resolve("web-7.xml"));
    await().atMost(WAIT).until(() -> find(VmEventType.DELETE).isPresent());
    assertThat(svc.store().list()).isEmpty();
  }

  @Test
  void hostileFilesAreErrorsOfThatDomainOnly() throws Exception {
    Files.createDirectories(etc);
    Files.write(etc.resolve("web-7.xml"), resource("own-persistent-web.xml"));
    Files.writeString(
        etc.resolve("evil.xml"),
        "<!DOCTYPE domain [<!ENTITY x SYSTEM \"file:///etc/shadow\">]>"
            + "<domain type='kvm'><name>&x;</name><uuid>5e4f0c73-9f6d-4b20-8c83-4d0e7f901b35</uuid></domain>");
    Files.writeString(etc.resolve("half.xml"), "<domain type='kvm'><name>half</name><uu");
    Path outside = Files.write(tmp.resolve("outside.xml"), resource("own-persistent-web.xml"));
    Files.createSymbolicLink(etc.resolve("link.xml"), outside);
    try (LibvirtSource src = source()) {
      LoadResult r = src.loadAll();
      assertThat(r.vms()).extracting(Vm::uuid).containsExactly(WEB);
      assertThat(r.errors())
          .extracting(e -> e.key())
          .containsExactlyInAnyOrder("evil", "half", "link");
      assertThat(r.errors()).allSatisfy(e -> assertThat(e.message()).doesNotContain("root:"));
    }
  }

  // ---------------------------------------------------------------- helpers

  Optional<VmEvent> find(VmEventType type) {
    return events.stream().filter(e -> e.type() == type).findFirst();
  }

  static Optional<String> state(VmInfoService svc) {
    return svc.store().get(WEB).flatMap(Vm::state);
  }

  /** What libvirt does: write {@code <file>.new}, then rename it over {@code <file>}. */
  static void libvirtWrite(Path file, byte[] content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".new");
    Files.write(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static byte[] qcow2Header(long virtualSize) {
    ByteBuffer b = ByteBuffer.allocate(512);
    b.put(new byte[] {'Q', 'F', 'I', (byte) 0xfb});
    b.putInt(3);
    b.position(24);
    b.putLong(virtualSize);
    return b.array();
  }

  /** nova 2025.2+ writes the flavor id (the billing key), extra specs, the image and ports. */
  @Test
  void novaMetadataAsNova2025WritesIt() throws Exception {
    JsonNode vm = mapPersistent("web-8", resource("own-persistent-nova-2025.xml"));
    assertThat(vm.path("package_name").asText()).isEqualTo("m1.small");
    assertThat(vm.path("billing_id").asText()).isEqualTo("2");
    assertThat(vm.path("image_uuid").asText()).isEqualTo("4b0f6c3e-2d1a-4e9f-8c7b-6a5d4e3f2a1b");
    assertThat(vm.path("create_timestamp").asText()).isEqualTo("2026-11-30T23:59:07.000Z");
    assertThat(vm.path("hostname").asText()).isEqualTo("web-8.example");
    assertThat(vm.path("owner_uuid").asText()).isEqualTo("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
    assertThat(vm.path("owner_user_uuid").asText())
        .isEqualTo("5d6e7f80-91a2-b3c4-d5e6-f708192a3b4c");
    assertThat(vm.path("owner_name").asText()).isEqualTo("webteam");
    assertThat(vm.has("package_version")).as("nova's own release is no package version").isFalse();

    // a flavor ID that is no UUID is kept as nova wrote it (case included), a UUID lower-cased
    String xml = new String(resource("own-persistent-nova-2025.xml"), StandardCharsets.UTF_8);
    assertThat(
            mapPersistent(
                    "web-8",
                    xml.replace("id=\"2\"", "id=\"M1.Large\"").getBytes(StandardCharsets.UTF_8))
                .path("billing_id")
                .asText())
        .isEqualTo("M1.Large");
    assertThat(
            mapPersistent(
                    "web-8",
                    xml.replace("id=\"2\"", "id=\"F719A0DD-4B43-4EFE-8336-48EF74099AD4\"")
                        .getBytes(StandardCharsets.UTF_8))
                .path("billing_id")
                .asText())
        .isEqualTo("f719a0dd-4b43-4efe-8336-48ef74099ad4");
  }

  /**
   * nova before 2025.2 writes no flavor id: without our own metadata there is no billing_id (never
   * a made-up one), the image comes from the root disk.
   */
  @Test
  void novaMetadataBefore2025HasNoBillingId() throws Exception {
    String xml = new String(resource("own-persistent-web.xml"), StandardCharsets.UTF_8);
    String novaOnly =
        xml.substring(0, xml.indexOf("    <vminfo:vm"))
            + xml.substring(xml.indexOf("</vminfo:vm>") + "</vminfo:vm>".length());
    JsonNode vm = mapPersistent("web-7", novaOnly.getBytes(StandardCharsets.UTF_8));
    assertThat(vm.has("billing_id")).isFalse();
    assertThat(vm.path("package_name").asText()).isEqualTo("m1.small");
    assertThat(vm.path("image_uuid").asText()).isEqualTo("9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a");
    assertThat(vm.path("create_timestamp").asText()).isEqualTo("2026-06-01T10:00:00.000Z");

    // a creationTime that is not nova's format gives no create_timestamp rather than a wrong one
    JsonNode odd =
        mapPersistent(
            "web-7",
            novaOnly.replace("2026-06-01 10:00:00", "yesterday").getBytes(StandardCharsets.UTF_8));
    assertThat(odd.has("create_timestamp")).isFalse();
  }

  static JsonNode mapPersistent(String name, byte[] xml) throws Exception {
    return io.vminfo.sysevent.internal.libvirt.DomainMapper.map(
        name,
        io.vminfo.sysevent.internal.xml.SafeXml.parse(xml, name + ".xml"),
        Optional.empty(),
        false,
        name + ".xml");
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = LibvirtSourceTest.class.getResourceAsStream("/libvirt/" + name)) {
      if (in == null) {
        throw new IOException("test resource missing: " + name);
      }
      return in.readAllBytes();
    }
  }
}
