package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.ittests.AgentDistribution;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.LibvirtHost;
import io.vminfo.ittests.libvirt.LibvirtTesting;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Issue 15 (actions and jobs) on a real libvirtd: actions through the API and the CLI with {@code
 * --wait}, a queue of actions on one VM, and a job across an agent SIGKILL.
 */
@ResourceLock(LibvirtTesting.DAEMON)
class GuestActionsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static LibvirtHost host;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  WriteKey operator;

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

  AgentProcess.Builder agent(String grace) throws Exception {
    if (operator == null) {
      operator = WriteKey.create(dir.resolve("operator"), "ops@guest-actions-it");
    }
    return AgentProcess.builder(dir.resolve("agent"))
        .set("actions.authorized_keys", operator.authorizedKeys.toString())
        .set("backend", "libvirt")
        .set("host_root", "/")
        .set("actions.enabled", true)
        .set("actions.grace", grace)
        .set("actions.timeout", "40s");
  }

  JsonNode post(AgentProcess a, String path, int expected) throws Exception {
    HttpResponse<String> r =
        http.send(
            operator.post(a.uri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
    if (expected == 202) {
      assertThat(r.headers().firstValue("X-Guest-Job-ID")).isPresent();
    }
    return JSON.readTree(r.body());
  }

  JsonNode awaitJob(AgentProcess a, String id) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> a.getJson("/jobs/" + id),
            j -> j.path("status").asText().matches("Complete|Error"));
  }

  static void cleanUp(String name) {
    try {
      host.virsh("destroy", name);
    } catch (java.io.IOException e) {
      // not running: nothing to destroy
    }
    try {
      host.undefine(name);
    } catch (java.io.IOException e) {
      System.out.println("GuestActionsIT: could not undefine " + name + ": " + e.getMessage());
    }
  }

  String domstate(String name) throws Exception {
    return host.virsh("domstate", name).trim();
  }

  @Test
  void actionsThroughTheApiAQueueAndTheCli() throws Exception {
    String name = "vminfo-act-" + UUID.randomUUID().toString().substring(0, 8);
    String uuid = host.defineGuest(name);
    try (AgentProcess a = agent("1s").start()) {
      await().atMost(WAIT).until(() -> a.get("/vms/" + uuid).status() == 200);
      long t0 = System.nanoTime();
      JsonNode start = post(a, "/vms/" + uuid + "/start", 202);
      JsonNode done = awaitJob(a, start.path("id").asText());
      System.out.println(
          "GuestActionsIT: start -> Complete in "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
              + " ms");
      assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("Complete");
      assertThat(done.path("vm_state").asText()).isEqualTo("running");
      assertThat(done.path("requester").asText()).startsWith("key:ops@guest-actions-it ");
      assertThat(domstate(name)).isEqualTo("running");
      // unsigned: refused before anything is queued
      HttpResponse<String> anonymous =
          http.send(
              HttpRequest.newBuilder(a.uri().resolve("/vms/" + uuid + "/poweroff"))
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
      assertThat(a.getJson("/vms/" + uuid).path("state").asText()).isEqualTo("running");

      // a queue on one VM: each runs after the previous one is seen in the store, in order
      List<String> ids = new ArrayList<>();
      for (String action : List.of("suspend", "resume", "suspend", "resume", "poweroff")) {
        ids.add(post(a, "/vms/" + uuid + "/" + action, 202).path("id").asText());
      }
      for (String id : ids) {
        JsonNode j = awaitJob(a, id);
        assertThat(j.path("status").asText()).as(j.toString()).isEqualTo("Complete");
      }
      List<String> seen = new ArrayList<>();
      a.getJson("/vms/" + uuid + "/jobs")
          .forEach(j -> seen.add(j.path("action").asText() + "=" + j.path("vm_state").asText()));
      assertThat(seen)
          .containsExactly(
              "start=running",
              "suspend=paused",
              "resume=running",
              "suspend=paused",
              "resume=running",
              "poweroff=stopped");
      assertThat(domstate(name)).isEqualTo("shut off");
      assertThat(post(a, "/vms/" + uuid + "/explode", 400).path("code").asText())
          .isEqualTo("BadRequest");

      // the CLI, waiting: start, then a stop the firmware-only guest ignores (powered off
      // after actions.grace), then a reboot
      for (String action : List.of("start", "stop", "start", "reboot")) {
        Process cli =
            new ProcessBuilder(
                    AgentDistribution.locate().home().resolve("bin/vminfo").toString(),
                    "--url",
                    a.uri().toString(),
                    action,
                    uuid,
                    "--wait",
                    "--timeout",
                    "60s",
                    "--key",
                    operator.privateKey.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(cli.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("GuestActionsIT: vminfo " + action + ": " + out.trim());
        assertThat(cli.exitValue()).as(out).isZero();
        assertThat(out).contains(" " + action + " " + uuid + " Complete");
      }
      assertThat(domstate(name)).isEqualTo("running");
    } finally {
      cleanUp(name);
    }
  }

  @Test
  void theVirshTransportDoesTheSameAndBothNameLibvirtsErrors() throws Exception {
    String name = "vminfo-virsh-" + UUID.randomUUID().toString().substring(0, 8);
    String uuid = host.defineGuest(name);
    try {
      for (String transport : List.of("virsh", "library")) {
        try (AgentProcess a = agent("1s").set("actions.libvirt_transport", transport).start()) {
          await().atMost(WAIT).until(() -> a.get("/vms/" + uuid).status() == 200);
          assertThat(a.logLines(l -> l.message().startsWith("guest actions through")))
              .singleElement()
              .satisfies(
                  l ->
                      assertThat(l.message())
                          .contains(
                              transport.equals("virsh")
                                  ? "virsh (qemu:///system)"
                                  : "libvirt.so.0"));
          for (String action : List.of("start", "suspend", "resume", "poweroff")) {
            JsonNode j =
                awaitJob(a, post(a, "/vms/" + uuid + "/" + action, 202).path("id").asText());
            assertThat(j.path("status").asText()).as(transport + " " + j).isEqualTo("Complete");
          }
          assertThat(domstate(name)).isEqualTo("shut off");
          // libvirt refuses to resume a domain that is shut off: the job says why
          JsonNode refused =
              awaitJob(a, post(a, "/vms/" + uuid + "/resume", 202).path("id").asText());
          assertThat(refused.path("status").asText()).isEqualTo("Error");
          assertThat(refused.path("message").asText()).as(transport).contains("not running");
        }
      }
    } finally {
      cleanUp(name);
    }
  }

  @Test
  void aJobRunningWhenTheAgentIsKilledIsErrorAgentRestartedAndTheLogIsIntact() throws Exception {
    String name = "vminfo-kill-" + UUID.randomUUID().toString().substring(0, 8);
    String uuid = host.defineGuest(name);
    AgentProcess.Builder b = agent("60s");
    String startId;
    String stopId;
    try (AgentProcess a = b.start()) {
      await().atMost(WAIT).until(() -> a.get("/vms/" + uuid).status() == 200);
      startId = post(a, "/vms/" + uuid + "/start", 202).path("id").asText();
      assertThat(awaitJob(a, startId).path("status").asText()).isEqualTo("Complete");
      // the guest has no OS to hear the ACPI request: the stop sits in its 60 s grace
      stopId = post(a, "/vms/" + uuid + "/stop", 202).path("id").asText();
      await()
          .atMost(WAIT)
          .until(() -> a.getJson("/jobs/" + stopId).path("status").asText().equals("Running"));
      assertThat(a.kill()).isEqualTo(137);
    }
    try (AgentProcess a = b.start()) {
      JsonNode stop = a.getJson("/jobs/" + stopId);
      assertThat(stop.path("status").asText()).isEqualTo("Error");
      assertThat(stop.path("message").asText()).isEqualTo("agent restarted");
      assertThat(a.getJson("/jobs/" + startId).path("status").asText()).isEqualTo("Complete");
      assertThat(a.getJson("/jobs")).hasSize(2);
    } finally {
      cleanUp(name);
    }
  }
}
