package io.vminfo.ittests.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.Vm;
import io.vminfo.core.VmInfoService;
import io.vminfo.core.VmStore;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import io.vminfo.sysevent.SmartOsSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host tree is only useful if the real SmartOS backend reads it as the tree says: each
 * vmadm-like change is run through {@link SmartOsSource} (real inotify) and the VMs it produces
 * must match {@link SmartOsHostTree#differences}.
 */
class SmartOsHostTreeTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  VmStore store;
  VmInfoService service;

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
    if (store != null) {
      store.close();
    }
  }

  void startBackend(SmartOsHostTree tree, Duration zoneadmPoll) throws Exception {
    store = VmStore.builder().build();
    service =
        VmInfoService.builder(
                SmartOsSource.builder("00000000-0000-4000-8000-000000000001")
                    .hostRoot(tree.root())
                    .zoneStatePollInterval(zoneadmPoll)
                    .build(),
                store)
            .build();
    service.start();
  }

  List<JsonNode> vms() {
    return store.list().stream().map(Vm::toJson).map(JsonNode.class::cast).toList();
  }

  void awaitTruth(SmartOsHostTree tree) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(tree.differences(vms())).isEmpty());
  }

  @Test
  void theBackendSeesEveryVmadmChange() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    ZoneSpec a = tree.create(ZoneSpec.of(uuid(), "alpha"));
    startBackend(tree, Duration.ofSeconds(5));
    awaitTruth(tree);
    assertThat(store.get(a.uuid()).orElseThrow().serverUuid()).contains(tree.serverUuid());

    ZoneSpec b = tree.create(ZoneSpec.of(uuid(), "beta").withBrand("lx").withState("stopped"));
    awaitTruth(tree);
    tree.update(a.uuid(), s -> s.withAlias("alpha-2").withMaxPhysicalMemory(2048).withCpuCap(400));
    awaitTruth(tree);
    tree.update(
        a.uuid(),
        s ->
            s.withCustomerMetadata("user-script", "#!/bin/sh\necho hi\n")
                .withInternalMetadata(Map.of("k", "v")));
    awaitTruth(tree);
    tree.update(a.uuid(), s -> s.withTags(Map.of("role", "db")));
    awaitTruth(tree);
    tree.setState(a.uuid(), "stopped");
    awaitTruth(tree);
    assertThat(store.get(a.uuid()).orElseThrow().has("exit_timestamp")).isTrue();
    tree.setState(b.uuid(), "running");
    awaitTruth(tree);
    tree.writeMode(SmartOsHostTree.WriteMode.IN_PLACE);
    tree.update(b.uuid(), s -> s.withAlias("in place <&> \"quoted\""));
    awaitTruth(tree);
    tree.delete(a.uuid());
    awaitTruth(tree);
    assertThat(store.get(a.uuid())).isEmpty();
    assertThat(Files.exists(tree.zoneDir(a.uuid()))).isFalse();
    assertThat(service.status().vmErrors()).isEmpty();
  }

  @Test
  void withZoneadmTheIndexSaysInstalledAndTheStandInSaysRunning() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.builder(dir.resolve("host")).zoneadm(true).build();
    ZoneSpec a = tree.create(ZoneSpec.of(uuid(), "alpha"));
    tree.create(ZoneSpec.of(uuid(), "beta").withState("stopped"));
    assertThat(Files.readString(tree.indexFile())).doesNotContain(":running:");
    startBackend(tree, Duration.ofMillis(100));
    awaitTruth(tree);
    assertThat(store.get(a.uuid()).orElseThrow().zoneid()).isPresent();
    tree.setState(a.uuid(), "stopped");
    awaitTruth(tree);
    assertThat(store.get(a.uuid()).orElseThrow().get("zoneid").orElseThrow().isNull()).isTrue();
  }

  @Test
  void refusesPathsOutsideTheRootAndDuplicateZones() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    assertThatThrownBy(() -> tree.path("../../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class);
    ZoneSpec a = tree.create(ZoneSpec.of(uuid(), "alpha"));
    assertThatThrownBy(() -> tree.create(a)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tree.update(ZoneSpec.of(uuid(), "ghost")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ZoneSpec.of("not-a-uuid", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SmartOsHostTree.create(dir.resolve("host")))
        .hasMessageContaining("already holds");
  }

  @Test
  void differencesNameMissingExtraAndWrongVms() throws Exception {
    SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
    ZoneSpec a = tree.create(ZoneSpec.of(uuid(), "alpha"));
    ZoneSpec b = tree.create(ZoneSpec.of(uuid(), "beta"));
    var wrong = tree.expectedVm(a).put("alias", "other");
    var extra = tree.expectedVm(ZoneSpec.of(uuid(), "extra"));
    assertThat(tree.differences(List.of(wrong, extra)))
        .anyMatch(d -> d.contains(a.uuid() + " alias"))
        .anyMatch(d -> d.contains(b.uuid()) && d.contains("missing"))
        .anyMatch(d -> d.contains(extra.path("uuid").asText()) && d.contains("should not exist"));
  }

  static String uuid() {
    return UUID.randomUUID().toString();
  }
}
