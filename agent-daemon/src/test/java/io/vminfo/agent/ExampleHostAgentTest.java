package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.RawFeed;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.VmEventType;
import io.vminfo.core.internal.Json;
import io.vminfo.sysevent.ExampleHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent with its default backend factory on the bundled example host (what a new user gets):
 * real files, real inotify, the real usage recorder. VMs load without errors, edits of the copied
 * tree become events on {@code /events}, usage samples fill {@code /usage} and the spool, and the
 * user's edits survive a restart.
 */
class ExampleHostAgentTest {
  private static final String KVM = "7b2c3d4e-5f60-4b7c-9d8e-2f3a4b5c6d03";
  private static final String LX = "6a1b2c3d-4e5f-4a6b-8c7d-1e2f3a4b5c02";
  private static final String JOYENT = "5f0a5b8e-2c61-4b8f-9e0a-0c1a2b3c4d01";

  @TempDir Path state;

  private Agent start() throws Exception {
    AgentConfig config =
        AgentConfig.builder()
            .set("listen.port", "0")
            .set("state_dir", state.toString())
            .set("backend", "example")
            .set("http.threads", "1")
            .set("usage.interval", "1s")
            .set("shutdown_timeout", "5s")
            .build();
    Agent agent = Agent.builder(config).env(Map.of()).build();
    agent.start();
    return agent;
  }

  @Test
  void servesTheExampleHostWithEventsAndUsage() throws Exception {
    Agent agent = start();
    Path host = state.resolve("example-host");
    try {
      assertThat(agent.serverUuid()).isEqualTo(ExampleHost.SERVER_UUID);
      JsonNode vms = get(agent, "/vms");
      assertThat(vms).hasSize(5);
      for (JsonNode vm : vms) {
        assertThat(vm.get("server_uuid").textValue()).isEqualTo(ExampleHost.SERVER_UUID);
      }
      JsonNode status = get(agent, "/status");
      assertThat(status.get("vmErrors")).isEmpty();
      assertThat(status.get("backend").textValue()).isEqualTo("smartos");
      assertThat(status.get("datacenterName").textValue()).isEqualTo(ExampleHost.DATACENTER_NAME);
      assertThat(get(agent, "/vms/" + KVM).get("state").textValue()).isEqualTo("running");

      try (RawFeed feed = RawFeed.open(agent.address(), "")) {
        assertThat(feed.next()).isInstanceOf(FeedMessage.Ready.class);

        // "halt" the kvm zone: the example zoneadm reads zone-states, the backend polls it
        Path states = host.resolve(ExampleHost.ZONE_STATES);
        replaceAtomically(
            states,
            Files.readString(states).replaceAll("(?m)^" + KVM + " running.*$", KVM + " installed"));
        FeedMessage.Event halted = nextEventFor(feed, KVM);
        assertThat(halted.type()).isEqualTo(VmEventType.MODIFY);
        assertThat(halted.vm().orElseThrow().state()).contains("stopped");
        assertThat(halted.changes()).anyMatch(c -> c.prettyPath().equals("state"));

        // edit a zone's XML the zonecfg way (temp file, rename over): an inotify event
        Path xml = host.resolve("etc/zones/" + LX + ".xml");
        String alias =
            Base64.getEncoder().encodeToString("renamed-by-test".getBytes(StandardCharsets.UTF_8));
        replaceAtomically(
            xml,
            Files.readString(xml)
                .replaceAll(
                    "(<attr name=\"alias\" type=\"string\" value=\")[^\"]*\"",
                    "$1" + alias + "\""));
        FeedMessage.Event renamed = nextEventFor(feed, LX);
        assertThat(renamed.type()).isEqualTo(VmEventType.MODIFY);
        assertThat(renamed.vm().orElseThrow().alias()).contains("renamed-by-test");
      }

      // usage: one record per VM in the latest sample, counters from the example kstat
      await().atMost(Duration.ofSeconds(30)).until(() -> get(agent, "/usage").size() == 5);
      JsonNode usage = get(agent, "/usage");
      for (JsonNode r : usage) {
        assertThat(r.get("type").textValue()).isEqualTo("usage");
        assertThat(r.get("server_uuid").textValue()).isEqualTo(ExampleHost.SERVER_UUID);
        assertThat(r.get("datacenter_name").textValue()).isEqualTo(ExampleHost.DATACENTER_NAME);
      }
      JsonNode running = find(usage, JOYENT);
      assertThat(running.get("cpu_usage").get("cpu_seconds").asDouble()).isPositive();
      assertThat(running.get("network_usage").size()).isPositive();
      assertThat(running.get("memory_usage").get("rss_bytes").asLong()).isPositive();
      JsonNode u = get(agent, "/status").get("usage");
      assertThat(u.get("state").textValue()).isEqualTo("running");
      assertThat(u.get("recordsWritten").asLong()).isGreaterThanOrEqualTo(5);
      assertThat(u.get("spool").get("bytes").asLong()).isPositive();
      assertThat(u.get("upload").get("pendingFiles").asInt()).isPositive();
      assertThat(u.get("upload").get("target").textValue()).startsWith("local directory ");
      assertThat(spoolLogs()).isNotEmpty();
      assertThat(text(agent, "/metrics"))
          .containsPattern("vminfo_usage_records_written_total [1-9][0-9]*\\.0")
          .containsPattern("vminfo_events_total\\{type=\"modify\"} (?:[2-9]|[1-9]\\d+)\\.0")
          .contains(
              "vminfo_reload_seconds_count{backend=\"smartos\",kind=\"partial\","
                  + "outcome=\"applied\"}");
    } finally {
      agent.stop();
    }
    // stopping closed the watchers (the inotify thread is gone) and flushed a last sample
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("vminfo-watch"));
    String lastLine = lastLine(spoolLogs().get(spoolLogs().size() - 1));
    assertThat(Json.MAPPER.readTree(lastLine).get("type").textValue()).isEqualTo("summary");
  }

  @Test
  void theCopyIsMadeOnceSoEditsSurviveARestart() throws Exception {
    Agent first = start();
    first.stop();
    Path xml = state.resolve("example-host/etc/zones/" + LX + ".xml");
    String alias = Base64.getEncoder().encodeToString("kept".getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        xml,
        Files.readString(xml)
            .replaceAll(
                "(<attr name=\"alias\" type=\"string\" value=\")[^\"]*\"", "$1" + alias + "\""));
    Agent second = start();
    try {
      assertThat(get(second, "/vms/" + LX).get("alias").textValue()).isEqualTo("kept");
      assertThat(get(second, "/vms")).hasSize(5);
    } finally {
      second.stop();
    }
    try (Stream<Path> s = Files.list(state)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  private FeedMessage.Event nextEventFor(RawFeed feed, String uuid) throws IOException {
    while (true) {
      FeedMessage m = feed.next();
      if (m instanceof FeedMessage.Event e && e.uuid().equals(uuid)) {
        return e;
      }
    }
  }

  private List<Path> spoolLogs() throws IOException {
    try (Stream<Path> s = Files.walk(state.resolve("spool"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  private static String lastLine(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    return lines.get(lines.size() - 1);
  }

  private static JsonNode find(JsonNode records, String uuid) {
    for (JsonNode r : records) {
      if (r.get("uuid").textValue().equals(uuid)) {
        return r;
      }
    }
    throw new AssertionError("no usage record for " + uuid + " in " + records);
  }

  private static void replaceAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static JsonNode get(Agent agent, String target) throws IOException {
    return Json.MAPPER.readTree(text(agent, target));
  }

  private static String text(Agent agent, String target) throws IOException {
    try (RawHttp c = RawHttp.connect(agent.address())) {
      c.send("GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).as(target).isEqualTo(200);
      return r.text();
    }
  }
}
