package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms in the packaged agent over a SmartOS tree, with a real webhook receiver: a zone that stops
 * unexpectedly opens one alarm delivered once, coming back clears it once, a suppression holds, and
 * a notice undelivered when the agent is SIGKILLed (receiver failing) is delivered once after the
 * restart.
 */
class AlarmsIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  final List<JsonNode> received = new CopyOnWriteArrayList<>();
  final AtomicBoolean receiverDown = new AtomicBoolean();

  @Test
  void unexpectedStopIsNotifiedOnceAcrossAKill() throws Exception {
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService receiverThread = Executors.newSingleThreadExecutor();
    receiver.setExecutor(receiverThread);
    receiver.createContext(
        "/hook",
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          if (receiverDown.get()) {
            ex.sendResponseHeaders(503, -1);
          } else {
            received.add(JSON.readTree(body));
            ex.sendResponseHeaders(204, -1);
          }
          ex.close();
        });
    receiver.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host"));
      String a = tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "a")).uuid();
      String b = tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "b")).uuid();
      WriteKey operator = WriteKey.create(dir.resolve("operator"), "ops@alarms-it");
      AgentProcess.Builder builder =
          E2e.smartosAgent(dir, tree)
              .set("actions.authorized_keys", operator.authorizedKeys.toString())
              .set("alarms.enabled", true)
              .set("alarms.api_writes", true)
              .set(
                  "alarms.webhook_url",
                  "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
      AgentProcess agent = builder.start();
      try {
        E2e.awaitTruth(agent, tree);

        tree.setState(a, "stopped");
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).path("kind").asText()).isEqualTo("opened");
        assertThat(received.get(0).path("alarm").path("vm_uuid").asText()).isEqualTo(a);
        assertThat(received.get(0).path("alarm").path("rule").asText())
            .isEqualTo("unexpected-stop");
        assertThat(agent.getJson("/alarms").path("alarms").size()).isEqualTo(1);

        tree.setState(a, "running");
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received.get(1).path("kind").asText()).isEqualTo("cleared");
        assertThat(agent.getJson("/alarms").path("alarms").size()).isZero();

        HttpResponse<String> sup =
            http.send(
                operator
                    .post(
                        agent
                            .uri()
                            .resolve(
                                "/alarms/suppressions?vm=" + b + "&rule=unexpected-stop&for=1h"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sup.statusCode()).as(sup.body()).isEqualTo(201);
        tree.setState(b, "stopped");
        await()
            .atMost(WAIT)
            .until(
                () -> agent.getJson("/status").path("alarms").path("suppressedOpens").asInt() == 1);
        assertThat(agent.getJson("/alarms").path("alarms").size()).isZero();

        receiverDown.set(true);
        tree.setState(a, "stopped");
        await()
            .atMost(WAIT)
            .until(
                () -> agent.getJson("/status").path("alarms").path("failedAttempts").asInt() >= 1);
        assertThat(agent.getJson("/status").path("alarms").path("pendingNotices").asInt())
            .isEqualTo(1);
        agent.kill();
      } finally {
        agent.close();
      }
      assertThat(received).hasSize(2);
      receiverDown.set(false);
      try (AgentProcess again = builder.start()) {
        again.awaitReady(WAIT);
        await().atMost(WAIT).until(() -> received.size() == 3);
        await()
            .atMost(WAIT)
            .until(
                () -> again.getJson("/status").path("alarms").path("pendingNotices").asInt() == 0);
        JsonNode third = received.get(2);
        assertThat(third.path("kind").asText()).isEqualTo("opened");
        assertThat(third.path("alarm").path("vm_uuid").asText()).isEqualTo(a);
        assertThat(again.getJson("/alarms").path("alarms").size()).isEqualTo(1);
        assertThat(again.getJson("/alarms/suppressions").path("suppressions").size()).isEqualTo(1);
        assertThat(received)
            .extracting(n -> n.path("delivery_id").asText())
            .doesNotHaveDuplicates();
        assertThat(received).hasSize(3);
      }
    } finally {
      receiver.stop(0);
      receiverThread.shutdownNow();
    }
  }
}
