package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.FixtureBackendProvider;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.core.internal.Json;
import io.vminfo.sysevent.ExampleHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's promise: a new host backend or store target is one class plus a services file. The
 * test-only {@code FixtureBackendProvider} and {@code MemoryStoreProvider} are named by this
 * module's test {@code META-INF/services} files and nowhere else, yet the config knows their keys,
 * {@code backend=} and {@code backend=auto} pick the backend, {@code storage.target=} the store.
 */
class ProviderExtensionTest {
  @TempDir Path dir;

  @Test
  void theConfigLearnsTheProvidersNamesAndKeys() {
    assertThat(AgentConfig.keys())
        .contains(
            "fixture.vms",
            "storage.memory.bucket",
            "storage.local.dir",
            "storage.manta.url",
            "actions.libvirt_uri");
    AgentConfig c =
        AgentConfig.load(
            List.of("--backend=fixture", "--fixture.vms=3"),
            Map.of("VMINFO_STORAGE_TARGET", "memory", "VMINFO_STORAGE_MEMORY_BUCKET", "b1"));
    assertThat(c.backend()).isEqualTo("fixture");
    assertThat(c.storageTarget()).isEqualTo("memory");
    assertThat(c.get("storage.memory.bucket", String.class)).contains("b1");
    assertThat(c.source("storage.memory.bucket")).isEqualTo("env VMINFO_STORAGE_MEMORY_BUCKET");
    assertThat(c.get("fixture.vms", String.class)).contains("3");
    assertThat(AgentConfig.isReloadable("storage.memory.bucket")).isFalse();
    assertThatThrownBy(() -> c.get("storage.memory.bucket", Integer.class))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.get("storage.nope", String.class))
        .hasMessageContaining("unknown config key");
  }

  @Test
  void unknownNamesListTheKnownProviders() {
    assertThatThrownBy(() -> AgentConfig.load(List.of("--backend=xen"), Map.of()))
        .isInstanceOf(AgentConfigException.class)
        .hasMessage(
            "backend (flag --backend): \"xen\" is not one of auto, fixture, smartos,"
                + " libvirt, example");
    assertThatThrownBy(() -> AgentConfig.load(List.of("--storage.target=s3"), Map.of()))
        .isInstanceOf(AgentConfigException.class)
        .hasMessage(
            "storage.target (flag --storage.target): \"s3\" is not one of local, manta,"
                + " memory");
  }

  @Test
  void aStoreProviderValidatesItsKeysAtLoad() {
    assertThatThrownBy(
            () ->
                AgentConfig.load(
                    List.of("--storage.target=memory", "--storage.memory.bucket=forbidden"),
                    Map.of()))
        .hasMessage(
            "storage.memory.bucket (flag --storage.memory.bucket): the bucket"
                + " \"forbidden\" is not allowed");
    // Only the selected store's rules apply.
    assertThat(
            AgentConfig.load(List.of("--storage.memory.bucket=forbidden"), Map.of())
                .storageTarget())
        .isEqualTo("local");
  }

  @Test
  void theTestBackendIsSelectedByNameAndItsSettingReachesIt() throws Exception {
    Path root = Files.createDirectories(dir.resolve("plain-root"));
    Agent agent =
        start(
            root,
            b ->
                b.set("backend", "fixture")
                    .set("fixture.vms", "3")
                    .set("storage.target", "memory")
                    .set("storage.memory.bucket", "b2"));
    try {
      JsonNode status = get(agent, "/status");
      assertThat(status.get("backend").textValue()).isEqualTo("fixture");
      assertThat(status.get("numVms").asInt()).isEqualTo(3);
      assertThat(status.get("usage").get("upload").get("target").textValue())
          .isEqualTo("memory:b2");
    } finally {
      agent.stop();
    }
  }

  @Test
  void autoDetectionAsksTheTestBackendFirstByItsOrder() throws Exception {
    // A SmartOS tree that also has the fixture's marker: the fixture asks first (order 50).
    Path root = ExampleHost.copyTo(dir.resolve("both"));
    Files.createFile(root.resolve(FixtureBackendProvider.MARKER));
    Agent agent = start(root, b -> {});
    try {
      assertThat(get(agent, "/status").get("backend").textValue()).isEqualTo("fixture");
      assertThat(get(agent, "/vms")).hasSize(1);
    } finally {
      agent.stop();
    }
    Files.delete(root.resolve(FixtureBackendProvider.MARKER));
    Agent smartos = start(root, b -> {});
    try {
      assertThat(get(smartos, "/status").get("backend").textValue()).isEqualTo("smartos");
      assertThat(get(smartos, "/status").get("usage").get("upload").get("target").textValue())
          .as("the default store")
          .startsWith("local directory");
    } finally {
      smartos.stop();
    }
  }

  private Agent start(Path hostRoot, Consumer<AgentConfig.Builder> tweak) throws Exception {
    AgentConfig.Builder b =
        AgentConfig.builder()
            .set("listen.port", "0")
            .set("state_dir", dir.resolve("state").toString())
            .set("host_root", hostRoot.toString())
            .set("http.threads", "1")
            .set("shutdown_timeout", "5s");
    tweak.accept(b);
    Agent agent = Agent.builder(b.build()).env(Map.of()).build();
    agent.start();
    return agent;
  }

  private static JsonNode get(Agent agent, String target) throws IOException {
    try (RawHttp c = RawHttp.connect(agent.address())) {
      c.send("GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).as(target).isEqualTo(200);
      return Json.MAPPER.readTree(r.text());
    }
  }
}
