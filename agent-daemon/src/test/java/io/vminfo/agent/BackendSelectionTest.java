package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.internal.ServerIdentity;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.core.internal.Json;
import io.vminfo.sysevent.ExampleHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default backend factory picks the backend from the host root (SmartOS, libvirt, else the
 * example host) and gives it the agent's server uuid as fallback, so VMs and usage records agree.
 */
class BackendSelectionTest {
  @TempDir Path dir;

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

  @Test
  void anEmptyHostRootGetsTheExampleHost() throws Exception {
    Path root = Files.createDirectories(dir.resolve("empty-root"));
    Agent agent = start(root, b -> {});
    try {
      JsonNode status = get(agent, "/status");
      assertThat(status.get("backend").textValue()).isEqualTo("smartos");
      assertThat(status.get("numVms").asInt()).isEqualTo(5);
      assertThat(dir.resolve("state/example-host/etc/zones/index")).exists();
    } finally {
      agent.stop();
    }
  }

  @Test
  void aHostRootWithEtcZonesIsSmartOs() throws Exception {
    Path root = ExampleHost.copyTo(dir.resolve("smartos-root"));
    Agent agent = start(root, b -> {});
    try {
      assertThat(get(agent, "/status").get("backend").textValue()).isEqualTo("smartos");
      assertThat(get(agent, "/vms")).hasSize(5);
      assertThat(agent.serverUuid()).isEqualTo(ExampleHost.SERVER_UUID); // from its sysinfo
      assertThat(dir.resolve("state/example-host")).doesNotExist();
    } finally {
      agent.stop();
    }
  }

  @Test
  void aHostRootWithLibvirtUsesThePersistedUuidForVmsAndUsage() throws Exception {
    Path root = dir.resolve("libvirt-root");
    Path qemu = Files.createDirectories(root.resolve("etc/libvirt/qemu"));
    try (InputStream in = getClass().getResourceAsStream("/libvirt/db-1.xml")) {
      Files.copy(in, qemu.resolve("db-1.xml"));
    }
    Agent agent = start(root, b -> b.set("usage.interval", "1s"));
    String uuid;
    try {
      assertThat(get(agent, "/status").get("backend").textValue()).isEqualTo("libvirt");
      uuid = agent.serverUuid();
      assertThat(Files.readString(dir.resolve("state").resolve(ServerIdentity.FILE)).strip())
          .isEqualTo(uuid); // no SMBIOS uuid under this root: the persisted one
      JsonNode vm = get(agent, "/vms/db-1");
      assertThat(vm.get("uuid").textValue()).isEqualTo("1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9");
      assertThat(vm.get("server_uuid").textValue()).isEqualTo(uuid);
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> get(agent, "/usage").size() == 1);
      assertThat(get(agent, "/usage").get(0).get("server_uuid").textValue()).isEqualTo(uuid);
    } finally {
      agent.stop();
    }
    // the same host later: the same uuid
    Agent again = start(root, b -> {});
    try {
      assertThat(again.serverUuid()).isEqualTo(uuid);
      assertThat(get(again, "/vms/db-1").get("server_uuid").textValue()).isEqualTo(uuid);
    } finally {
      again.stop();
    }
  }

  @Test
  void aSmartOsHostWhoseZonesIndexCannotBeReadIsServedEmptyUntilItCanBe() throws Exception {
    // A full load without the index would report every VM deleted, so nothing is served as the
    // host's truth: the agent serves an empty store, says why, and loads the host once it can.
    Path root = ExampleHost.copyTo(dir.resolve("root"));
    Path index = root.resolve("etc/zones/index");
    Path aside = dir.resolve("index.aside");
    Files.move(index, aside);
    Files.createDirectory(index);
    Agent agent = start(root, b -> b.set("initial_load_retry", "200ms"));
    try {
      JsonNode status = get(agent, "/status");
      JsonNode initial = status.get("initialLoad");
      assertThat(initial.get("state").textValue()).isEqualTo("failed");
      assertThat(initial.get("lastError").textValue()).contains("index");
      assertThat(initial.get("nextAttempt").textValue()).isNotEmpty();
      assertThat(status.get("numVms").asInt()).isZero();
      assertThat(status.get("usage").get("state").textValue())
          .as("no sample of a host not yet loaded")
          .isEqualTo("starting");
      assertThat(getText(agent, "/metrics")).contains("vminfo_initial_load_complete 0.0");

      Files.delete(index);
      Files.move(aside, index);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(get(agent, "/status").get("initialLoad").get("state").textValue())
                      .isEqualTo("complete"));
      JsonNode loaded = get(agent, "/status");
      assertThat(loaded.get("numVms").asInt()).isEqualTo(5);
      assertThat(loaded.get("initialLoad").get("attempts").asInt()).isGreaterThan(1);
      assertThat(loaded.get("initialLoad").get("lastError").textValue()).contains("index");
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(get(agent, "/status").get("usage").get("state").textValue())
                      .isNotEqualTo("starting"));
      assertThat(getText(agent, "/metrics")).contains("vminfo_initial_load_complete 1.0");
    } finally {
      agent.stop();
    }
  }

  @Test
  void aMissingHostRootIsAClearStartError() throws Exception {
    Agent agent =
        Agent.builder(
                AgentConfig.builder()
                    .set("listen.port", "0")
                    .set("state_dir", dir.resolve("state").toString())
                    .set("backend", "smartos")
                    .set("host_root", dir.resolve("no-such-root").toString())
                    .build())
            .env(Map.of())
            .build();
    assertThatThrownBy(agent::start).isInstanceOf(IOException.class);
    assertThat(agent.state()).isEqualTo(Agent.State.STOPPED);
  }

  private static String getText(Agent agent, String target) throws IOException {
    try (RawHttp c = RawHttp.connect(agent.address())) {
      c.send("GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).as(target).isEqualTo(200);
      return r.text();
    }
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
