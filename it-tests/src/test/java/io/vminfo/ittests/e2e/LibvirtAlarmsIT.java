package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.LibvirtHost;
import io.vminfo.ittests.libvirt.LibvirtTesting;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Issue 15's "done when" for alarms on the real libvirtd: a requested reboot (a job) opens no
 * alarm, an unexpected {@code virsh destroy} opens one that the webhook receives exactly once, and
 * a suppression holds. Deliveries are in order per notifier, so a later notice is the fence that
 * proves no earlier one was sent twice.
 */
@ResourceLock(LibvirtTesting.DAEMON)
class LibvirtAlarmsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static LibvirtHost host;

  @TempDir Path dir;

  final List<JsonNode> received = new CopyOnWriteArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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

  JsonNode post(AgentProcess a, WriteKey key, String path, int expected) throws Exception {
    HttpResponse<String> r =
        http.send(
            key.post(a.uri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
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

  List<String> kinds() {
    return received.stream()
        .map(n -> n.path("kind").asText() + " " + n.path("alarm").path("rule").asText())
        .toList();
  }

  @Test
  void aRequestedRebootOpensNoneAnUnexpectedDestroyOneDeliveredOnceASuppressionHolds()
      throws Exception {
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService receiverThread = Executors.newSingleThreadExecutor();
    receiver.setExecutor(receiverThread);
    receiver.createContext(
        "/hook",
        ex -> {
          received.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    receiver.start();
    String name = "vminfo-alarm-" + UUID.randomUUID().toString().substring(0, 8);
    String uuid = host.defineGuest(name);
    WriteKey operator = WriteKey.create(dir.resolve("operator"), "ops@libvirt-alarms-it");
    try (AgentProcess a =
        AgentProcess.builder(dir.resolve("agent"))
            .set("backend", "libvirt")
            .set("host_root", "/")
            .set("actions.enabled", true)
            .set("actions.authorized_keys", operator.authorizedKeys.toString())
            .set("actions.grace", "1s")
            .set("actions.timeout", "40s")
            .set("alarms.enabled", true)
            // two crashes a minute apart are flapping by the default rule (4 changes in 10 min);
            // this test is about unexpected-stop alone
            .set("alarms.flap_transitions", 10)
            .set("alarms.api_writes", true)
            .set(
                "alarms.webhook_url",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
            .start()) {
      await().atMost(WAIT).until(() -> a.get("/vms/" + uuid).status() == 200);
      String start = post(a, operator, "/vms/" + uuid + "/start", 202).path("id").asText();
      assertThat(awaitJob(a, start).path("status").asText()).isEqualTo("Complete");

      // requested: the guest goes through stopped and back, and no alarm opens
      String reboot = post(a, operator, "/vms/" + uuid + "/reboot", 202).path("id").asText();
      assertThat(awaitJob(a, reboot).path("status").asText()).isEqualTo("Complete");
      assertThat(a.getJson("/alarms").path("alarms").size()).isZero();

      // unexpected: the first notice is this one (nothing came from the reboot before it)
      host.destroy(name);
      await().atMost(WAIT).until(() -> received.size() >= 1);
      assertThat(kinds()).containsExactly("opened unexpected-stop");
      assertThat(received.get(0).path("alarm").path("vm_uuid").asText()).isEqualTo(uuid);
      assertThat(a.getJson("/alarms").path("alarms").size()).isEqualTo(1);

      // back to running clears it; the clear is the fence: the open was delivered once
      String again = post(a, operator, "/vms/" + uuid + "/start", 202).path("id").asText();
      assertThat(awaitJob(a, again).path("status").asText()).isEqualTo("Complete");
      await().atMost(WAIT).until(() -> received.size() >= 2);
      assertThat(kinds()).containsExactly("opened unexpected-stop", "cleared unexpected-stop");
      assertThat(received).extracting(n -> n.path("delivery_id").asText()).doesNotHaveDuplicates();

      // suppressed: the next unexpected destroy opens nothing and sends nothing
      post(a, operator, "/alarms/suppressions?vm=" + uuid + "&rule=unexpected-stop&for=1h", 201);
      host.destroy(name);
      await()
          .atMost(WAIT)
          .until(() -> a.getJson("/status").path("alarms").path("suppressedOpens").asInt() == 1);
      JsonNode now = a.getJson("/alarms");
      assertThat(now.path("alarms").size()).as(now.toString()).isZero();
      assertThat(received).hasSize(2);
    } finally {
      receiver.stop(0);
      receiverThread.shutdownNow();
      try {
        host.virsh("destroy", name);
      } catch (java.io.IOException e) {
        // not running
      }
      host.undefine(name);
    }
  }
}
