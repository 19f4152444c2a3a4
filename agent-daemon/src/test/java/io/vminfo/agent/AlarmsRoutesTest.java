package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.agent.testing.TestWriteKey;
import io.vminfo.core.GuestAction;
import io.vminfo.core.GuestActions;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.Vm;
import io.vminfo.core.internal.Json;
import io.vminfo.core.testing.FakeVmSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms in a real agent: its feed, its job listener, /alarms, /status, a real webhook receiver.
 */
class AlarmsRoutesTest {
  static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path state;

  FakeVmSource source =
      new FakeVmSource(
          List.of(
              TestVms.vm(1, "running", "kvm", TestVms.OWNER_A),
              TestVms.vm(2, "running", "kvm", TestVms.OWNER_A)),
          HostIdentity.unknown());
  final List<JsonNode> received = new CopyOnWriteArrayList<>();
  HttpServer receiver;
  ExecutorService receiverThread;
  AgentHarness h;

  final GuestActions host =
      new GuestActions() {
        @Override
        public Set<GuestAction> supported() {
          return EnumSet.allOf(GuestAction.class);
        }

        @Override
        public void perform(Vm vm, GuestAction action, Duration grace, Duration timeout) {
          source.apply(vm.with(o -> o.put("state", action.expectedState())));
        }
      };

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiverThread = Executors.newSingleThreadExecutor();
    receiver.setExecutor(receiverThread);
    receiver.createContext(
        "/hook",
        ex -> {
          received.add(Json.MAPPER.readTree(ex.getRequestBody().readAllBytes()));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    receiver.start();
  }

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
    receiver.stop(0);
    receiverThread.shutdownNow();
  }

  void start(boolean alarms) throws Exception {
    start(alarms, false);
  }

  void start(boolean alarms, boolean writes) throws Exception {
    String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    operator =
        TestWriteKey.create(state.resolveSibling(state.getFileName() + "-keys"), "ops@alarms");
    h =
        AgentHarness.start(
            source,
            state,
            b -> {
              b.set("actions.enabled", "true");
              b.set("actions.authorized_keys", operator.authorizedKeys.toString());
              b.set("alarms.enabled", Boolean.toString(alarms));
              b.set("alarms.webhook_url", hook);
              b.set("alarms.api_writes", Boolean.toString(writes));
            },
            null,
            b -> b.backendFactory(ctx -> new HostBackend(source, UsageProbe.NONE, host)));
  }

  /** Signs every write, as the agent's write routes want. */
  TestWriteKey operator;

  RawHttp.Response post(String target) throws IOException {
    return send("POST", target);
  }

  RawHttp.Response send(String method, String target) throws IOException {
    try (RawHttp c = h.connect()) {
      c.send(
          method
              + " "
              + target
              + " HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n"
              + operator.headerLines(method, target)
              + "\r\n");
      return c.readResponse();
    }
  }

  @Test
  void alarmRoutesAreOffByDefault() throws Exception {
    start(false);
    assertThat(h.get("/alarms").status()).isEqualTo(404);
    assertThat(h.get("/status").json().has("alarms")).isFalse();
    assertThat(h.get("/metrics").text()).doesNotContain("vminfo_alarms_");
  }

  @Test
  void anUnexpectedStopOpensOneAlarmAndARequestedStopNone() throws Exception {
    start(true);
    String one = TestVms.uuid(1);
    String two = TestVms.uuid(2);
    h.apply(source.get(one).orElseThrow().with(o -> o.put("state", "stopped")));
    JsonNode alarms =
        await()
            .atMost(WAIT)
            .until(() -> h.get("/alarms").json(), j -> j.path("alarms").size() == 1);
    assertThat(alarms.path("alarms").get(0).path("vm_uuid").asText()).isEqualTo(one);
    assertThat(alarms.path("alarms").get(0).path("rule").asText()).isEqualTo("unexpected-stop");
    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(received.get(0).path("kind").asText()).isEqualTo("opened");

    RawHttp.Response r = post("/vms/" + two + "/stop");
    assertThat(r.status()).isEqualTo(202);
    String job = r.header("x-guest-job-id");
    await()
        .atMost(WAIT)
        .until(
            () -> h.get("/jobs/" + job).json().path("status").asText(), s -> s.equals("Complete"));
    assertThat(h.get("/alarms").json().path("alarms").size()).isEqualTo(1);
    assertThat(h.get("/status").json().path("alarms").path("open").asInt()).isEqualTo(1);
    // counted once the webhook's answer is back, which may follow the receiver seeing the body
    String metrics =
        await()
            .atMost(WAIT)
            .until(
                () -> h.get("/metrics").text(),
                t -> t.contains("vminfo_alarms_notices_delivered_total 1.0"));
    assertThat(metrics)
        .contains("vminfo_alarms_open 1.0")
        .contains("vminfo_alarms_notices_pending 0.0")
        .contains("vminfo_alarms_suppressed_total 0.0");

    h.apply(source.get(one).orElseThrow().with(o -> o.put("state", "running")));
    await().atMost(WAIT).until(() -> received.size() == 2);
    assertThat(received.get(1).path("kind").asText()).isEqualTo("cleared");
    assertThat(h.get("/alarms").json().path("alarms").size()).isZero();
    assertThat(h.get("/alarms/suppressions").json().path("suppressions").size()).isZero();
    assertThat(received).hasSize(2);
  }

  @Test
  void suppressionWritesAreOffUnlessConfigured() throws Exception {
    start(true);
    assertThat(post("/alarms/suppressions?rule=unexpected-stop").status()).isEqualTo(404);
    assertThat(h.get("/alarms/suppressions").json().path("suppressions").size()).isZero();
  }

  @Test
  void aSuppressionThroughTheApiHoldsUntilLifted() throws Exception {
    start(true, true);
    String one = TestVms.uuid(1);
    assertThat(post("/alarms/suppressions?rule=nope").status()).isEqualTo(400);
    assertThat(post("/alarms/suppressions?for=soon").status()).isEqualTo(400);
    assertThat(post("/alarms/suppressions?colour=red").status()).isEqualTo(400);
    RawHttp.Response r =
        post(
            "/alarms/suppressions?vm="
                + one
                + "&rule=unexpected-stop&for=2h"
                + "&reason=maintenance");
    assertThat(r.status()).isEqualTo(201);
    String id = r.json().path("suppression").path("id").asText();
    assertThat(r.json().path("suppression").path("until").isTextual()).isTrue();
    assertThat(h.get("/alarms/suppressions").json().path("suppressions").get(0).path("id").asText())
        .isEqualTo(id);

    h.apply(source.get(one).orElseThrow().with(o -> o.put("state", "stopped")));
    h.apply(source.get(one).orElseThrow().with(o -> o.put("state", "running")));
    await()
        .atMost(WAIT)
        .until(() -> h.get("/status").json().path("alarms").path("suppressedOpens").asInt() == 1);
    assertThat(h.get("/alarms").json().path("alarms").size()).isZero();

    assertThat(send("DELETE", "/alarms/suppressions/" + id).status()).isEqualTo(200);
    assertThat(send("DELETE", "/alarms/suppressions/" + id).status()).isEqualTo(404);
    h.apply(source.get(one).orElseThrow().with(o -> o.put("state", "stopped")));
    await().atMost(WAIT).until(() -> h.get("/alarms").json().path("alarms").size() == 1);
    await().atMost(WAIT).until(() -> received.size() == 1);
  }
}
