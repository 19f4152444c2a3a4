package io.vminfo.alarms.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.vminfo.alarms.Alarm;
import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.AlarmService;
import io.vminfo.alarms.AlarmsConfig;
import io.vminfo.alarms.RejectedNoticeException;
import io.vminfo.alarms.Rule;
import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.internal.Json;
import io.vminfo.core.testing.TestVms;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real local HTTP server that fails the first attempts. */
class WebhookNotifierTest {
  @TempDir Path dir;
  private HttpServer server;
  private ExecutorService serverThreads;
  private final AtomicInteger failFirst = new AtomicInteger();
  private final AtomicInteger status = new AtomicInteger(200);
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
  private final List<String> deliveryHeaders = new CopyOnWriteArrayList<>();
  private final AtomicInteger attempts = new AtomicInteger();

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newSingleThreadExecutor();
    server.setExecutor(serverThreads);
    server.createContext(
        "/hook",
        ex -> {
          attempts.incrementAndGet();
          byte[] body = ex.getRequestBody().readAllBytes();
          int code = failFirst.getAndDecrement() > 0 ? 503 : status.get();
          if (code == 200) {
            bodies.add(Json.MAPPER.readTree(body));
            deliveryHeaders.add(ex.getRequestHeaders().getFirst("X-Vminfo-Delivery-Id"));
          }
          ex.sendResponseHeaders(code, -1);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @Test
  void failingReceiverGetsTheNoticeOnceAfterRetries() throws Exception {
    failFirst.set(2);
    Vm vm = TestVms.vm(1);
    try (VmStore store = VmStore.builder().build();
        AlarmService svc =
            AlarmService.builder(
                    AlarmsConfig.defaults(dir)
                        .withRetry(Duration.ofMillis(20), Duration.ofMillis(100))
                        .withTick(Duration.ofMillis(20)))
                .webhook(url(), Duration.ofSeconds(5))
                .build()) {
      store.initialize(List.of(vm));
      svc.start(store);
      store.put(vm.with(o -> o.put("state", "stopped")));
      await().atMost(Duration.ofSeconds(20)).until(() -> bodies.size() == 1);
      assertThat(attempts.get()).isEqualTo(3);
      JsonNode b = bodies.get(0);
      assertThat(b.get("kind").asText()).isEqualTo("opened");
      assertThat(b.get("alarm").get("rule").asText()).isEqualTo("unexpected-stop");
      assertThat(b.get("alarm").get("vm_uuid").asText()).isEqualTo(vm.uuid());
      assertThat(deliveryHeaders.get(0)).isEqualTo(b.get("delivery_id").asText());
      await().atMost(Duration.ofSeconds(20)).until(() -> svc.status().pendingNotices() == 0);
      // No second delivery once acknowledged.
      assertThat(bodies).hasSize(1);
    }
  }

  @Test
  void clientErrorIsARejectionAndServerErrorIsRetryable() throws Exception {
    Instant t = Instant.parse("2026-12-07T10:00:00Z");
    AlarmNotice n =
        new AlarmNotice(
            "d1", AlarmNotice.Kind.OPENED, new Alarm("a1", "vm", Rule.FLAPPING, t, "x"), t, "x");
    WebhookNotifier w = new WebhookNotifier(url(), Duration.ofSeconds(5));
    try {
      status.set(400);
      Assertions.assertThatThrownBy(() -> w.deliver(n)).isInstanceOf(RejectedNoticeException.class);
      status.set(500);
      Assertions.assertThatThrownBy(() -> w.deliver(n))
          .isNotInstanceOf(RejectedNoticeException.class)
          .hasMessageContaining("500");
      status.set(200);
      w.deliver(n);
      assertThat(deliveryHeaders).containsExactly("d1");
    } finally {
      w.close();
    }
  }

  @Test
  void nonHttpUrlIsRefused() {
    Assertions.assertThatThrownBy(
            () -> new WebhookNotifier(URI.create("ftp://x/"), Duration.ofSeconds(1)))
        .hasMessageContaining("http or https");
  }
}
