package io.vminfo.sysevent.smartos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vminfo.core.LoadResult;
import io.vminfo.core.Reload;
import io.vminfo.core.ReloadQueue;
import io.vminfo.core.ReloadResult;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEvent;
import io.vminfo.core.VmEventType;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.VmLookup;
import io.vminfo.core.VmStore;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import io.vminfo.sysevent.ExampleHost;
import io.vminfo.sysevent.FileWatcherFactory;
import io.vminfo.sysevent.FileWatchers;
import io.vminfo.sysevent.SmartOsSource;
import io.vminfo.sysevent.WatchEvent;
import io.vminfo.sysevent.WatchListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The SmartOS backend on a copy of the bundled example host, with real files and inotify. */
class SmartOsSourceTest {
  static final String FALLBACK = "00000000-0000-4000-8000-0000000000aa";
  static final String Z1 = "5f0a5b8e-2c61-4b8f-9e0a-0c1a2b3c4d01"; // joyent, running
  static final String Z2 = "6a1b2c3d-4e5f-4a6b-8c7d-1e2f3a4b5c02"; // lx, running
  static final String Z3 = "7b2c3d4e-5f60-4b7c-9d8e-2f3a4b5c6d03"; // kvm, running
  static final String Z4 = "8c3d4e5f-6071-4c8d-ae9f-3a4b5c6d7e04"; // bhyve, installed
  static final String Z5 = "9d4e5f60-7182-4d9e-bfa0-4b5c6d7e8f05"; // joyent-minimal, installed
  static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path tmp;
  Path root;
  final List<AutoCloseable> toClose = new ArrayList<>();
  final ConcurrentLinkedQueue<VmEvent> events = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> reloads = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void copyExampleHost() throws Exception {
    root = ExampleHost.copyTo(tmp.resolve("host"));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  SmartOsSource.Builder source() {
    return SmartOsSource.builder(FALLBACK).hostRoot(root);
  }

  VmInfoService start(SmartOsSource src) throws Exception {
    VmStore store = VmStore.builder().build();
    VmInfoService svc =
        VmInfoService.builder(src, store)
            .observer((key, took, outcome) -> reloads.add(key))
            .build();
    toClose.add(store);
    toClose.add(svc);
    svc.start();
    toClose.add(store.addListener(events::add));
    return svc;
  }

  @Test
  void loadsEveryExampleVmWithNoErrors() throws Exception {
    try (SmartOsSource src = source().build()) {
      LoadResult r = src.loadAll();
      assertThat(r.errors()).isEmpty();
      assertThat(r.vms()).extracting(Vm::uuid).containsExactlyInAnyOrder(Z1, Z2, Z3, Z4, Z5);
      assertThat(r.vms()).allSatisfy(vm -> assertThat(vm.missingRequiredKeys()).isEmpty());
      Map<String, Vm> byUuid = r.vms().stream().collect(Collectors.toMap(Vm::uuid, v -> v));

      Vm web = byUuid.get(Z1);
      assertThat(web.alias()).contains("web01");
      assertThat(web.brand()).contains("joyent");
      assertThat(web.state()).contains("running");
      assertThat(web.zoneState()).contains("running");
      assertThat(web.zoneid()).hasValue(1);
      assertThat(web.serverUuid()).contains(ExampleHost.SERVER_UUID);
      assertThat(web.text("datacenter_name")).contains(ExampleHost.DATACENTER_NAME);
      assertThat(web.maxPhysicalMemory()).hasValue(1024);
      assertThat(web.nics())
          .extracting(n -> n.interfaceName().orElseThrow())
          .containsExactly("net0", "net1");
      assertThat(web.get("customer_metadata").orElseThrow().path("role").asText()).isEqualTo("web");
      assertThat(web.get("tags").orElseThrow().path("env").asText()).isEqualTo("production");
      assertThat(web.get("resolvers").orElseThrow()).hasSize(2);
      assertThat(web.has("device")).isFalse();

      Vm bhyve = byUuid.get(Z4);
      assertThat(bhyve.state()).contains("stopped");
      assertThat(bhyve.zoneState()).contains("installed");
      assertThat(bhyve.get("zoneid").orElseThrow().isNull()).isTrue();
      assertThat(bhyve.integer("exit_status")).hasValue(0);
      assertThat(bhyve.text("exit_timestamp"))
          .contains(Instant.ofEpochSecond(1779012000L).toString().replace("Z", ".000Z"));
      assertThat(byUuid.get(Z5).integer("exit_status")).hasValue(1);
      assertThat(byUuid.get(Z5).get("firewall_enabled").orElseThrow().asBoolean()).isTrue();
      assertThat(byUuid.get(Z3).disks())
          .extracting(d -> d.path().orElseThrow())
          .containsExactly(
              "/dev/zvol/rdsk/zones/" + Z3 + "-disk0", "/dev/zvol/rdsk/zones/" + Z3 + "-disk1");

      assertThat(src.hostIdentity().serverUuid()).contains(ExampleHost.SERVER_UUID);
      assertThat(src.hostIdentity().datacenterName()).contains(ExampleHost.DATACENTER_NAME);
    }
  }

  /**
   * As vmload: any {@code failed} attr value JavaScript deems true (a text such as "provisioning")
   * makes the state failed, an empty one does not; a stopped zone with the {@code provisioning}
   * marker is provisioning.
   */
  @Test
  void failedAndProvisioningAttrsSetTheStateAsVmloadDoes() throws Exception {
    addAttr(Z1, "failed", "provisioning");
    addAttr(Z2, "failed", "");
    addAttr(Z4, "provisioning", "true");
    try (SmartOsSource src = source().build()) {
      Map<String, Vm> byUuid =
          src.loadAll().vms().stream().collect(Collectors.toMap(Vm::uuid, v -> v));
      assertThat(byUuid.get(Z1).state()).contains("failed");
      assertThat(byUuid.get(Z1).text("failed")).contains("provisioning");
      assertThat(byUuid.get(Z2).state()).isNotEqualTo(java.util.Optional.of("failed"));
      assertThat(byUuid.get(Z4).state()).contains("provisioning");
      assertThat(byUuid.get(Z4).zoneState()).contains("installed");
    }
  }

  void addAttr(String zone, String name, String value) throws Exception {
    Path xml = root.resolve("etc/zones/" + zone + ".xml");
    String s = Files.readString(xml);
    Files.writeString(
        xml,
        s.replace(
            "</zone>",
            "  <attr name=\"" + name + "\" type=\"string\" value=\"" + value + "\"/>\n</zone>"));
  }

  @Test
  void withoutSysinfoTheFallbackServerUuidIsUsed() throws Exception {
    Files.delete(root.resolve("tmp/.sysinfo.json"));
    try (SmartOsSource src = source().build()) {
      LoadResult r = src.loadAll();
      assertThat(r.errors()).isEmpty();
      assertThat(r.vms()).allSatisfy(vm -> assertThat(vm.serverUuid()).contains(FALLBACK));
      assertThat(src.hostIdentity().serverUuid()).isEmpty();
    }
  }

  @Test
  void withoutZoneadmStatesComeFromTheIndex() throws Exception {
    Files.delete(root.resolve("usr/sbin/zoneadm"));
    try (SmartOsSource src = source().build()) {
      Vm web =
          src.loadAll().vms().stream().filter(v -> v.uuid().equals(Z1)).findFirst().orElseThrow();
      assertThat(web.zoneState()).contains("installed");
      assertThat(web.state()).contains("stopped");
      assertThat(web.get("zoneid").orElseThrow().isNull()).isTrue();
    }
  }

  @Test
  void aHangingZoneadmIsKilledAfterTheTimeoutAndTheIndexIsUsed() throws Exception {
    Path zoneadm = root.resolve("usr/sbin/zoneadm");
    Files.writeString(zoneadm, "#!/bin/sh\nexec sleep 60\n");
    try (SmartOsSource src = source().commandTimeout(Duration.ofMillis(300)).build()) {
      LoadResult r = src.loadAll();
      assertThat(r.vms()).hasSize(5);
      assertThat(r.errors())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.key()).isEqualTo("zoneadm");
                assertThat(e.message()).contains("did not finish within 300 ms");
              });
      assertThat(r.vms()).allSatisfy(vm -> assertThat(vm.zoneState()).contains("installed"));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = FileWatchers.Implementation.class,
      names = {"INOTIFY", "JDK"})
  void aConfigFileReplacedByRenameIsOneReloadOfOnlyThatPart(FileWatchers.Implementation impl)
      throws Exception {
    SmartOsSource src =
        source().watcherFactory(l -> FileWatchers.builder(l).implementation(impl).build()).build();
    VmInfoService svc = start(src);
    String before = svc.store().get(Z1).orElseThrow().text("last_modified").orElseThrow();

    HostTrees.replace(
        root.resolve("zones/" + Z1 + "/config/tags.json"),
        "{\"role\":\"web\",\"env\":\"production\",\"owner\":\"ops\"}");
    VmEvent modify =
        await().atMost(WAIT).until(() -> find(VmEventType.MODIFY, Z1), Optional::isPresent).get();
    assertThat(modify.changes())
        .anySatisfy(c -> assertThat(c.prettyPath()).isEqualTo("tags.owner"));
    assertThat(svc.store().get(Z1).orElseThrow().get("tags").orElseThrow().path("owner").asText())
        .isEqualTo("ops");
    assertThat(svc.store().get(Z1).orElseThrow().text("last_modified").orElseThrow())
        .isGreaterThanOrEqualTo(before);

    // A later change elsewhere is the barrier: any late duplicate of the first is in by then.
    HostTrees.replace(root.resolve("zones/" + Z2 + "/config/tags.json"), "{\"env\":\"prod\"}");
    await().atMost(WAIT).until(() -> find(VmEventType.MODIFY, Z2).isPresent());
    assertThat(svc.awaitIdle(WAIT)).isTrue();
    assertThat(count("smartos:config:" + Z1)).isEqualTo(1);
    assertThat(count("smartos:zone:" + Z1)).isZero();
    assertThat(events.stream().filter(e -> e.uuid().equals(Z1))).hasSize(1);
  }

  @Test
  void aZoneXmlRenamedOverIsOneReloadOfThatZone() throws Exception {
    VmInfoService svc = start(source().build());
    Path xml = root.resolve("etc/zones/" + Z1 + ".xml");
    String changed = Files.readString(xml).replace("value=\"d2ViMDE=\"", "value=\"d2ViMDEtbmV3\"");
    HostTrees.replace(xml, changed);
    VmEvent modify =
        await().atMost(WAIT).until(() -> find(VmEventType.MODIFY, Z1), Optional::isPresent).get();
    assertThat(modify.vm().orElseThrow().alias()).contains("web01-new");

    HostTrees.replace(root.resolve("zones/" + Z2 + "/config/tags.json"), "{\"env\":\"prod\"}");
    await().atMost(WAIT).until(() -> find(VmEventType.MODIFY, Z2).isPresent());
    assertThat(svc.awaitIdle(WAIT)).isTrue();
    assertThat(count("smartos:zone:" + Z1)).isEqualTo(1);
    assertThat(reloads).noneMatch(k -> k.contains(".new"));
  }

  @Test
  void editingTheExampleStateFileShowsAStateChangeAtTheNextPoll() throws Exception {
    ManualScheduler scheduler = new ManualScheduler(ManualClock.at("2026-11-22T00:00:00Z"));
    start(source().scheduler(scheduler).zoneStatePollInterval(Duration.ofSeconds(5)).build());
    Path states = root.resolve(ExampleHost.ZONE_STATES);
    Files.writeString(
        states, Files.readString(states).replace(Z4 + " installed", Z4 + " running 1779000000"));
    scheduler.advance(Duration.ofSeconds(5));
    VmEvent modify =
        await().atMost(WAIT).until(() -> find(VmEventType.MODIFY, Z4), Optional::isPresent).get();
    Vm vm = modify.vm().orElseThrow();
    assertThat(vm.state()).contains("running");
    assertThat(vm.zoneid()).hasValue(4);
    assertThat(vm.has("exit_status")).isFalse();
    assertThat(modify.changes())
        .extracting(c -> c.prettyPath())
        .contains("zone_state", "state", "zoneid");
  }

  /** Installs a {@code zoneevent} stand-in (a shell script) in the host tree. */
  Path installZoneevent(String script) throws Exception {
    Path bin = Files.createDirectories(root.resolve("usr/vm/sbin")).resolve("zoneevent");
    Files.writeString(
        bin, "#!/bin/sh\nd=\"$(dirname \"$0\")/../../../var/example-host\"\n" + script);
    assertThat(bin.toFile().setExecutable(true)).isTrue();
    Files.writeString(root.resolve("var/example-host/zoneevents"), "");
    return root.resolve("var/example-host/zoneevents");
  }

  static void append(Path file, String text) throws Exception {
    Files.writeString(file, text, java.nio.file.StandardOpenOption.APPEND);
  }

  void bootZ4InTheStateFile() throws Exception {
    Path states = root.resolve(ExampleHost.ZONE_STATES);
    Files.writeString(
        states, Files.readString(states).replace(Z4 + " installed", Z4 + " running 1779000000"));
  }

  @Test
  void aZoneeventTransitionReloadsTheZoneStatesWithoutWaitingForAPoll() throws Exception {
    Path events = installZoneevent("exec tail -n +1 -F \"$d/zoneevents\"\n");
    // The poll never runs: this scheduler is not advanced.
    ManualScheduler scheduler = new ManualScheduler(ManualClock.at("2026-11-22T00:00:00Z"));
    start(source().scheduler(scheduler).build());
    bootZ4InTheStateFile();
    // Garbage first: skipped with a warning, the stream goes on.
    append(
        events,
        "not json\n" + "x".repeat(70_000) + "\n{\"zonename\":5,\"newstate\":\"running\"}\n[]\n");
    append(
        events,
        "{\"zonename\":\""
            + Z4
            + "\",\"newstate\":\"running\",\"oldstate\":\"ready\","
            + "\"when\":\"1779000000000\"}\n");
    VmEvent modify =
        await().atMost(WAIT).until(() -> find(VmEventType.MODIFY, Z4), Optional::isPresent).get();
    assertThat(modify.vm().orElseThrow().state()).contains("running");
    assertThat(modify.vm().orElseThrow().zoneid()).hasValue(4);
    assertThat(reloads).contains("smartos:zoneadm");
  }

  @Test
  void aZoneeventThatExitsIsStartedAgainAndWhatHappenedMeanwhileIsPickedUp() throws Exception {
    Path events =
        installZoneevent(
            ""
                + "echo run >> \"$d/zoneevent-runs\"\n"
                + "if [ \"$(wc -l < \"$d/zoneevent-runs\")\" -eq 1 ]; then\n"
                + "  while [ ! -e \"$d/zoneevent-exit\" ]; do sleep 0.05; done\n"
                + "  exit 3\n"
                + "fi\n"
                + "exec tail -n 0 -F \"$d/zoneevents\"\n");
    Path runs = root.resolve("var/example-host/zoneevent-runs");
    ManualScheduler scheduler = new ManualScheduler(ManualClock.at("2026-11-22T00:00:00Z"));
    start(source().scheduler(scheduler).build());
    await().atMost(WAIT).until(() -> Files.exists(runs));
    // Z4 boots while zoneevent is down: no line reports it, the restart catches up.
    bootZ4InTheStateFile();
    Files.writeString(root.resolve("var/example-host/zoneevent-exit"), "");
    VmEvent modify =
        await().atMost(WAIT).until(() -> find(VmEventType.MODIFY, Z4), Optional::isPresent).get();
    assertThat(modify.vm().orElseThrow().state()).contains("running");
    assertThat(Files.readAllLines(runs)).hasSize(2);
    assertThat(events).exists();
  }

  @Test
  void aZoneeventThatCannotStartAtFirstCatchesUpOnceItRuns() throws Exception {
    Path bin = Files.createDirectories(root.resolve("usr/vm/sbin")).resolve("zoneevent");
    // Executable, but its interpreter does not exist: starting it fails (ENOENT).
    Files.writeString(bin, "#!/nonexistent/interpreter\n");
    assertThat(bin.toFile().setExecutable(true)).isTrue();
    Files.writeString(root.resolve("var/example-host/zoneevents"), "");
    ManualScheduler scheduler = new ManualScheduler(ManualClock.at("2026-11-22T00:00:00Z"));
    start(source().scheduler(scheduler).build());
    bootZ4InTheStateFile();
    Path fixed = bin.resolveSibling("zoneevent.new");
    Files.writeString(
        fixed,
        "#!/bin/sh\nexec tail -n 0 -F \"$(dirname \"$0\")/../../../var/example-host/zoneevents\"\n");
    assertThat(fixed.toFile().setExecutable(true)).isTrue();
    Files.move(fixed, bin, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    VmEvent modify =
        await().atMost(WAIT).until(() -> find(VmEventType.MODIFY, Z4), Optional::isPresent).get();
    assertThat(modify.vm().orElseThrow().state()).contains("running");
  }

  @Test
  void aNewXmlCreatesTheVmAndDeletingItDeletesIt() throws Exception {
    VmInfoService svc = start(source().build());
    String fresh = "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7";
    String xml = Files.readString(root.resolve("etc/zones/" + Z2 + ".xml")).replace(Z2, fresh);
    HostTrees.replace(root.resolve("etc/zones/" + fresh + ".xml"), xml);
    VmEvent create =
        await()
            .atMost(WAIT)
            .until(() -> find(VmEventType.CREATE, fresh), Optional::isPresent)
            .get();
    assertThat(create.vm().orElseThrow().zoneState()).contains("configured");
    assertThat(create.vm().orElseThrow().missingRequiredKeys()).isEmpty();

    Files.delete(root.resolve("etc/zones/" + fresh + ".xml"));
    await().atMost(WAIT).until(() -> find(VmEventType.DELETE, fresh).isPresent());
    assertThat(svc.store().get(fresh)).isEmpty();
  }

  /**
   * A symlink, a second hard link and a FIFO come into being complete: their create is the only
   * event there will be (no close-write), so it must be acted on. The FIFO's create once went
   * unseen, and only a racing reload of an earlier delete ever reported it.
   */
  @Test
  void entriesThatArriveCompleteAreReadAtTheirCreate() throws Exception {
    VmInfoService svc = start(source().build());
    Path zones = root.resolve("etc/zones");
    Path staging = Files.createDirectories(root.resolve("staging"));
    String template = Files.readString(zones.resolve(Z2 + ".xml"));
    String hardLinked = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c01";
    String symLinked = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c02";
    String fifo = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c03";

    Files.createLink(
        zones.resolve(hardLinked + ".xml"),
        Files.writeString(staging.resolve("h.xml"), template.replace(Z2, hardLinked)));
    Files.createSymbolicLink(
        zones.resolve(symLinked + ".xml"),
        Files.writeString(staging.resolve("s.xml"), template.replace(Z2, symLinked)));
    Process mk =
        new ProcessBuilder("mkfifo", zones.resolve(fifo + ".xml").toString()).inheritIO().start();
    assertThat(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0).as("mkfifo").isTrue();

    await()
        .atMost(WAIT)
        .until(
            () ->
                svc.store().get(hardLinked).isPresent()
                    && svc.store().get(symLinked).isPresent()
                    && errorFor(svc, fifo).isPresent());
    assertThat(errorFor(svc, fifo).orElseThrow().message()).contains("FIFO");
    assertThat(svc.store().get(symLinked).orElseThrow().alias())
        .isEqualTo(svc.store().get(Z2).orElseThrow().alias());
  }

  /** An index row with no XML is an error of that zone while running, as in the full load. */
  @Test
  void anIndexRowWithoutItsXmlIsAnErrorUntilTheXmlComes() throws Exception {
    VmInfoService svc = start(source().build());
    String fresh = "2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182";
    Path index = root.resolve("etc/zones/index");
    String before = Files.readString(index);
    String withRow = before + fresh + ":installed:/zones/" + fresh + ":" + fresh + "\n";
    HostTrees.replace(index, withRow);
    await().atMost(WAIT).until(() -> errorFor(svc, fresh).isPresent());
    assertThat(errorFor(svc, fresh).orElseThrow().message())
        .contains("zone XML missing")
        .contains("/etc/zones/" + fresh + ".xml");
    assertThat(svc.store().get(fresh)).isEmpty();

    HostTrees.replace(
        index, before); // the row goes (vmadm delete's second step): so does the error
    await().atMost(WAIT).until(() -> errorFor(svc, fresh).isEmpty());

    HostTrees.replace(index, withRow);
    await().atMost(WAIT).until(() -> errorFor(svc, fresh).isPresent());

    HostTrees.replace(
        root.resolve("etc/zones/" + fresh + ".xml"),
        Files.readString(root.resolve("etc/zones/" + Z2 + ".xml")).replace(Z2, fresh));
    await()
        .atMost(WAIT)
        .until(() -> svc.store().get(fresh).isPresent() && errorFor(svc, fresh).isEmpty());
  }

  @Test
  void aZoneWhoseConfigDirectoryAppearsLaterIsWatchedAndReloaded() throws Exception {
    VmInfoService svc = start(source().build());
    String fresh = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
    HostTrees.replace(
        root.resolve("etc/zones/" + fresh + ".xml"),
        Files.readString(root.resolve("etc/zones/" + Z2 + ".xml")).replace(Z2, fresh));
    await().atMost(WAIT).until(() -> svc.store().get(fresh).isPresent());
    assertThat(svc.store().get(fresh).orElseThrow().has("tags")).isFalse();

    Path config = Files.createDirectories(root.resolve("zones/" + fresh + "/config"));
    Files.writeString(config.resolve("tags.json"), "{\"late\":\"yes\"}");
    await()
        .atMost(WAIT)
        .until(
            () ->
                svc.store()
                    .get(fresh)
                    .flatMap(v -> v.get("tags"))
                    .map(t -> t.path("late").asText())
                    .equals(Optional.of("yes")));
  }

  @Test
  void aDeletedXmlIsConfirmedWithAStatBeforeTheVmGoes() throws Exception {
    CapturingQueue queue = new CapturingQueue();
    SmartOsSource src = source().build();
    toClose.add(src);
    src.start(queue);
    List<Vm> loaded = src.loadAll().vms();
    Path xml = root.resolve("etc/zones/" + Z1 + ".xml");
    byte[] content = Files.readAllBytes(xml);

    Files.delete(xml);
    Reload reload =
        await()
            .atMost(WAIT)
            .until(() -> queue.find("smartos:zone:" + Z1), Optional::isPresent)
            .get();
    Files.write(xml, content); // back before the reload runs
    ReloadResult result = reload.run(lookup(loaded));
    assertThat(result.removals()).isEmpty();
    assertThat(result.upserts()).extracting(Vm::uuid).containsExactly(Z1);

    Files.delete(xml);
    assertThat(reload.run(lookup(loaded)).removals()).containsExactly(Z1);
  }

  @Test
  void aBrokenXmlKeepsTheLastGoodStateAndIsRetriedOnTheNextEvent() throws Exception {
    VmInfoService svc = start(source().build());
    Path xml = root.resolve("etc/zones/" + Z2 + ".xml");
    String good = Files.readString(xml);
    Vm before = svc.store().get(Z2).orElseThrow();

    HostTrees.replace(xml, good.substring(0, good.length() / 2)); // a half-written file
    await().atMost(WAIT).until(() -> errorFor(svc, Z2).isPresent());
    assertThat(errorFor(svc, Z2).get().message()).contains("malformed XML").contains(Z2 + ".xml");
    assertThat(errorFor(svc, Z2).get().uuid()).contains(Z2);
    assertThat(svc.store().get(Z2)).contains(before);

    HostTrees.replace(xml, good.replace("dWJ1bnR1LWx4", "dWJ1bnR1LWx4LTI=")); // alias ubuntu-lx-2
    await()
        .atMost(WAIT)
        .until(
            () ->
                errorFor(svc, Z2).isEmpty()
                    && svc.store()
                        .get(Z2)
                        .orElseThrow()
                        .alias()
                        .equals(Optional.of("ubuntu-lx-2")));
    assertThat(events).noneMatch(e -> e.type() == VmEventType.DELETE);
  }

  @Test
  void badFilesAreErrorsOfTheirVmOnlyAndNothingOutsideTheRootIsRead() throws Exception {
    Path outside =
        Files.writeString(
            tmp.resolve("outside.xml"), Files.readString(root.resolve("etc/zones/" + Z3 + ".xml")));
    Files.delete(root.resolve("etc/zones/" + Z3 + ".xml"));
    Files.createSymbolicLink(root.resolve("etc/zones/" + Z3 + ".xml"), outside);
    Files.write(root.resolve("etc/zones/" + Z5 + ".xml"), new byte[5 * 1024 * 1024]);
    Files.writeString(
        root.resolve("zones/" + Z2 + "/config/metadata.json"), "{\"customer_metadata\":");
    String xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE zone [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<zone name=\""
            + Z4
            + "\" brand=\"bhyve\"><attr name=\"alias\" value=\"&x;\"/></zone>";
    Files.writeString(root.resolve("etc/zones/" + Z4 + ".xml"), xxe);
    try (SmartOsSource src = source().build()) {
      LoadResult r = src.loadAll();
      assertThat(r.vms()).extracting(Vm::uuid).containsExactly(Z1);
      Map<String, String> errors =
          r.errors().stream().collect(Collectors.toMap(VmLoadError::key, VmLoadError::message));
      assertThat(errors).containsOnlyKeys(Z2, Z3, Z4, Z5);
      assertThat(errors.get(Z2)).contains("malformed JSON").contains("metadata.json");
      assertThat(errors.get(Z3)).contains("leaves the host root");
      assertThat(errors.get(Z4)).contains("not allowed");
      assertThat(errors.get(Z5)).contains("larger than the limit");
      assertThat(r.errors()).allSatisfy(e -> assertThat(e.zonename()).isPresent());
    }
  }

  @Test
  void anOverflowWhileTheReaderIsPausedReconcilesToTheTruth() throws Exception {
    PausableListenerFactory factory = new PausableListenerFactory();
    VmInfoService svc = start(source().watcherFactory(factory).build());
    factory.pause();
    HostTrees.replace(root.resolve("zones/" + Z1 + "/config/tags.json"), "{\"first\":\"event\"}");
    assertThat(factory.held.await(10, TimeUnit.SECONDS)).isTrue();

    // Real changes made while nothing is read...
    Path index = root.resolve("etc/zones/index");
    HostTrees.replace(
        index,
        Files.readString(index)
            .lines()
            .filter(l -> !l.startsWith(Z5))
            .collect(Collectors.joining("\n", "", "\n")));
    Files.delete(root.resolve("etc/zones/" + Z5 + ".xml"));
    HostTrees.replace(
        root.resolve("zones/" + Z2 + "/config/tags.json"), "{\"changed\":\"unseen\"}");
    String fresh = "4f5a6b7c-8d9e-4fa0-b1c2-d3e4f5a6b7c8";
    HostTrees.replace(
        root.resolve("etc/zones/" + fresh + ".xml"),
        Files.readString(root.resolve("etc/zones/" + Z1 + ".xml")).replace(Z1, fresh));
    // ...buried under more events than the kernel queue holds.
    Path zones = root.resolve("etc/zones");
    int pairs = maxQueuedEvents() / 2 + 1000;
    for (int i = 0; i < pairs; i++) {
      Path p = zones.resolve("flood-" + i + ".tmp");
      Files.createFile(p);
      Files.delete(p);
    }
    factory.release();

    await().atMost(WAIT).until(() -> factory.overflows.get() > 0);
    try (SmartOsSource truth = source().build()) {
      List<Vm> expected = truth.loadAll().vms();
      await().atMost(WAIT).until(() -> sorted(svc.store().list()).equals(sorted(expected)));
    }
    assertThat(svc.store().get(Z5)).isEmpty();
    assertThat(svc.store().get(fresh)).isPresent();
    assertThat(svc.store().get(Z2).orElseThrow().get("tags").orElseThrow().path("changed").asText())
        .isEqualTo("unseen");
    assertThat(reloads).contains("reconcile");
  }

  // ---------------------------------------------------------------- helpers

  Optional<VmEvent> find(VmEventType type, String uuid) {
    return events.stream().filter(e -> e.type() == type && e.uuid().equals(uuid)).findFirst();
  }

  long count(String key) {
    return reloads.stream().filter(key::equals).count();
  }

  static Optional<VmLoadError> errorFor(VmInfoService svc, String key) {
    return svc.status().vmErrors().stream().filter(e -> e.key().equals(key)).findFirst();
  }

  static List<String> sorted(List<Vm> vms) {
    return vms.stream().sorted(Comparator.comparing(Vm::uuid)).map(Vm::toString).toList();
  }

  static VmLookup lookup(List<Vm> vms) {
    return new VmLookup() {
      @Override
      public Optional<Vm> get(String uuid) {
        return vms.stream().filter(v -> v.uuid().equals(uuid)).findFirst();
      }

      @Override
      public Optional<Vm> getByZonename(String zonename) {
        return vms.stream().filter(v -> v.zonename().equals(Optional.of(zonename))).findFirst();
      }

      @Override
      public List<Vm> list() {
        return vms;
      }
    };
  }

  static int maxQueuedEvents() {
    try (var in = Files.newBufferedReader(Path.of("/proc/sys/fs/inotify/max_queued_events"))) {
      return Integer.parseInt(in.readLine().trim());
    } catch (Exception e) {
      return 16384;
    }
  }

  /** A queue that only records what the source submits. */
  static final class CapturingQueue implements ReloadQueue {
    final ConcurrentLinkedQueue<Reload> submitted = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> reconciles = new ConcurrentLinkedQueue<>();

    @Override
    public void submit(Reload reload) {
      submitted.add(reload);
    }

    @Override
    public void requestReconcile(String reason) {
      reconciles.add(reason);
    }

    Optional<Reload> find(String key) {
      return submitted.stream().filter(r -> r.key().equals(key)).findFirst();
    }
  }

  /** Wraps the source's listener so a test can hold the watcher thread (a paused reader). */
  static final class PausableListenerFactory implements FileWatcherFactory {
    final CountDownLatch held = new CountDownLatch(1);
    final AtomicInteger overflows = new AtomicInteger();
    private volatile CountDownLatch gate;

    void pause() {
      gate = new CountDownLatch(1);
    }

    void release() {
      CountDownLatch g = gate;
      gate = null;
      g.countDown();
    }

    @Override
    public io.vminfo.sysevent.FileWatcher create(WatchListener inner) throws java.io.IOException {
      return FileWatchers.create(
          new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
              CountDownLatch g = gate;
              if (g != null) {
                held.countDown();
                try {
                  g.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              inner.onEvent(event);
            }

            @Override
            public void onOverflow() {
              overflows.incrementAndGet();
              inner.onOverflow();
            }

            @Override
            public void onWatchEstablished(Path directory) {
              inner.onWatchEstablished(directory);
            }
          });
    }
  }
}
