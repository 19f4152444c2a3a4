package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.Vm;
import io.vminfo.core.VmLoadError;
import io.vminfo.core.internal.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wire format of every non-streaming route (DESIGN section 5) against a real server. */
class RoutesTest {
  @TempDir static Path state;

  static AgentHarness h;
  static List<Vm> vms;

  @BeforeAll
  static void start() throws Exception {
    vms = new ArrayList<>(TestVms.many(6));
    vms.add(TestVms.vm(7, "stopped", "kvm", TestVms.OWNER_A));
    vms.add(TestVms.vm(8, "stopped", "bhyve", TestVms.OWNER_B));
    io.vminfo.core.testing.FakeVmSource source =
        new io.vminfo.core.testing.FakeVmSource(vms, io.vminfo.core.HostIdentity.unknown());
    source.addError(
        new VmLoadError(
            "badzone",
            Optional.empty(),
            Optional.of("badzone"),
            "badzone.xml: not valid XML",
            Instant.parse("2026-11-22T10:00:00Z")));
    h = AgentHarness.start(source, state, b -> {}, null);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  void pingAnswersPong() throws Exception {
    RawHttp.Response r = h.get("/ping");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.header("content-length")).isEqualTo(String.valueOf(r.body().length));
    assertThat(r.text()).isEqualTo("{\"ping\":\"pong\"}");
  }

  @Test
  void vmsListsEveryVmSortedByUuidWithTheStoredBytes() throws Exception {
    RawHttp.Response r = h.get("/vms");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    JsonNode array = r.json();
    assertThat(array.isArray()).isTrue();
    assertThat(array).hasSize(vms.size());
    List<String> uuids = new ArrayList<>();
    array.forEach(v -> uuids.add(v.get("uuid").textValue()));
    assertThat(uuids).isSorted();
    StringBuilder expected = new StringBuilder("[");
    h.agent
        .store()
        .list()
        .forEach(v -> expected.append(expected.length() > 1 ? "," : "").append(v));
    assertThat(r.text()).isEqualTo(expected.append("]").toString());
  }

  @Test
  void vmsFiltersByStateBrandAndOwner() throws Exception {
    assertThat(uuidsOf(h.get("/vms?state=stopped")))
        .containsExactly(TestVms.uuid(7), TestVms.uuid(8));
    assertThat(uuidsOf(h.get("/vms?brand=kvm"))).containsExactly(TestVms.uuid(7));
    // repeated values of one filter: any of them; different filters: all of them
    assertThat(uuidsOf(h.get("/vms?brand=kvm&brand=bhyve")))
        .containsExactly(TestVms.uuid(7), TestVms.uuid(8));
    assertThat(uuidsOf(h.get("/vms?brand=kvm,bhyve&owner_uuid=" + TestVms.OWNER_B)))
        .containsExactly(TestVms.uuid(8));
    assertThat(uuidsOf(h.get("/vms?state=running&owner_uuid=" + TestVms.OWNER_A)))
        .containsExactly(TestVms.uuid(2), TestVms.uuid(4), TestVms.uuid(6));
    assertThat(h.get("/vms?state=nonesuch").text()).isEqualTo("[]");
  }

  @Test
  void vmsProjectsFields() throws Exception {
    JsonNode array = h.get("/vms?state=stopped&fields=alias,uuid,nonexistent").json();
    assertThat(array).hasSize(2);
    assertThat(Json.string(array.get(0)))
        .isEqualTo("{\"alias\":\"vm7\",\"uuid\":\"" + TestVms.uuid(7) + "\"}");
    JsonNode one = h.get("/vms/" + TestVms.uuid(3) + "?fields=nics").json();
    assertThat(one.size()).isEqualTo(1);
    assertThat(one.get("nics").get(0).get("interface").textValue()).isEqualTo("net0");
  }

  @Test
  void vmByUuidOrZonenameCaseInsensitiveUuid() throws Exception {
    Vm vm3 = h.agent.store().get(TestVms.uuid(3)).orElseThrow();
    RawHttp.Response r = h.get("/vms/" + TestVms.uuid(3));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo(vm3.toString());
    assertThat(h.get("/vms/" + TestVms.uuid(3).toUpperCase()).text()).isEqualTo(vm3.toString());
    // zonename lookup (a zone whose name is not its uuid)
    Vm named = TestVms.vm(20).with(o -> o.put("zonename", "web-01"));
    h.source.apply(named);
    org.awaitility.Awaitility.await().until(() -> h.agent.store().get(named.uuid()).isPresent());
    assertThat(h.get("/vms/web-01").json().get("uuid").textValue()).isEqualTo(named.uuid());
    h.source.remove(named.uuid());
    org.awaitility.Awaitility.await().until(() -> h.agent.store().get(named.uuid()).isEmpty());
  }

  @Test
  void unknownVmIs404WithVminfodMessage() throws Exception {
    RawHttp.Response r = h.get("/vms/no-such-zone");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.text())
        .isEqualTo("{\"code\":\"NotFound\",\"message\":\"VM Not Found: no-such-zone\"}");
  }

  @Test
  void unknownRouteAndParametersAreJsonErrors() throws Exception {
    RawHttp.Response r = h.get("/nothing");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("code").textValue()).isEqualTo("NotFound");
    assertThat(r.json().get("message").textValue()).isEqualTo("Unsupported URL Path: /nothing");
    RawHttp.Response p = h.get("/vms?stat=running");
    assertThat(p.status()).isEqualTo(400);
    assertThat(p.json().get("code").textValue()).isEqualTo("BadRequest");
    assertThat(p.json().get("message").textValue()).contains("stat").contains("state");
    assertThat(h.get("/vms?state=").status()).isEqualTo(400);
  }

  @Test
  void statusIsVminfodShapedPlusExtensions() throws Exception {
    JsonNode s = h.get("/status").json();
    assertThat(s.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    assertThat(s.get("uptime").textValue()).matches("\\d+\\.\\d{3}s \\(\\d+\\.\\d{2}[smhd]\\)");
    assertThat(s.get("memory").get("heapTotal").isNumber()).isTrue();
    assertThat(s.get("memory").get("heapUsed").isNumber()).isTrue();
    assertThat(s.get("memory").get("rss").asLong()).isPositive(); // Linux /proc
    assertThat(s.get("state").textValue()).isEqualTo("running");
    assertThat(s.get("status").textValue()).startsWith("working");
    assertThat(s.get("numVms").asInt()).isEqualTo(h.agent.store().size());
    assertThat(Instant.parse(s.get("curDate").textValue())).isNotNull();
    assertThat(s.get("curDate").textValue()).matches(".*T.*\\.\\d{3}Z");
    JsonNode queue = s.get("queue");
    assertThat(queue.get("paused").booleanValue()).isFalse();
    assertThat(queue.has("idle")).isTrue();
    assertThat(queue.get("depth").isInt()).isTrue();
    assertThat(s.get("lastRefresh").textValue()).matches("\\d+\\.\\d{3}s \\(.*\\)");
    assertThat(s.get("refreshErrors").isArray()).isTrue();
    assertThat(s.get("eventsListeners").isObject()).isTrue();
    assertThat(s.get("rev").asLong()).isEqualTo(h.agent.store().revision());
    assertThat(s.get("epoch").textValue()).isEqualTo(h.agent.store().epoch());
    assertThat(s.get("backend").textValue()).isEqualTo("fake");
    assertThat(s.get("serverUuid").textValue()).isEqualTo(h.agent.serverUuid());
    JsonNode usage = s.get("usage");
    assertThat(usage.get("state").textValue()).isEqualTo("running");
    assertThat(usage.get("interval").textValue()).isEqualTo("1m");
    assertThat(usage.get("spool").get("dir").textValue())
        .isEqualTo(state.resolve("spool").toString());
    assertThat(usage.get("spool").get("capBytes").asLong()).isEqualTo(1L << 30);
    assertThat(usage.get("ledger").get("file").textValue())
        .isEqualTo(state.resolve("spool/ledger/uploads.jsonl").toString());
    JsonNode upload = usage.get("upload");
    assertThat(upload.get("target").textValue())
        .isEqualTo("local directory " + state.resolve("archive"));
    assertThat(upload.get("pathTemplate").textValue())
        .isEqualTo("/local/stor/usage/{yyyy}/{MM}/{dd}/{HH}/{server_uuid}.log");
    assertThat(upload.get("parked").isArray()).isTrue();
    assertThat(
            upload.has("pendingFiles")
                && upload.has("pendingBytes")
                && upload.has("succeeded")
                && upload.has("failed"))
        .isTrue();
    assertThat(usage.get("dropped").get("bytes").asLong()).isZero();
    JsonNode err = s.get("vmErrors").get(0);
    assertThat(err.get("key").textValue()).isEqualTo("badzone");
    assertThat(err.get("message").textValue()).contains("not valid XML");
  }

  @Test
  void statusListsEventListenersWithTheirUserAgent() throws Exception {
    try (RawHttp feed = h.connect()) {
      feed.send("GET /events HTTP/1.1\r\nHost: t\r\nUser-Agent: Metadata Agent - test\r\n\r\n");
      feed.readHead();
      String id = Json.MAPPER.readTree(feed.readLine()).get("uuid").textValue();
      JsonNode l = h.get("/status").json().get("eventsListeners").get(id);
      assertThat(l).isNotNull();
      assertThat(l.get("userAgent").textValue()).isEqualTo("Metadata Agent - test");
      assertThat(l.get("remote").textValue()).startsWith("127.0.0.1:");
      assertThat(l.get("createdAgo").textValue()).endsWith(")");
    }
  }

  @Test
  void usageIsAJsonArrayOfTheLatestSample() throws Exception {
    // The first sample comes at the next minute boundary; UsageStorageTest drives time to check
    // the records themselves.
    RawHttp.Response r = h.get("/usage");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    JsonNode records = r.json();
    assertThat(records.isArray()).isTrue();
    for (JsonNode rec : records) {
      assertThat(rec.get("type").textValue()).isEqualTo("usage");
      assertThat(rec.get("server_uuid").textValue()).isEqualTo(h.agent.serverUuid());
    }
    assertThat(h.get("/usage?x=1").status()).isEqualTo(400);
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    h.get("/ping");
    RawHttp.Response r = h.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).startsWith("text/plain; version=0.0.4");
    String text = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains("vminfo_events_total{type=\"create\"}")
        .contains("vminfo_events_total{type=\"modify\"}")
        .contains("vminfo_events_total{type=\"delete\"}")
        .contains("vminfo_queue_depth ")
        .contains("vminfo_vms " + h.agent.store().size())
        .contains("vminfo_feed_subscribers ")
        .contains("vminfo_feed_subscribers_cut_off_total ")
        .contains("vminfo_vm_load_errors 1.0")
        .contains("vminfo_http_requests_total{route=\"ping\",status=\"200\"}")
        .containsPattern("vminfo_usage_records_written_total \\d+\\.0")
        .containsPattern("vminfo_usage_uploads_total\\{result=\"succeeded\"} \\d+\\.0")
        .containsPattern("vminfo_usage_uploads_total\\{result=\"failed\"} \\d+\\.0")
        .containsPattern("vminfo_usage_spool_bytes \\d+\\.0")
        .contains("vminfo_usage_dropped_bytes_total 0.0")
        .contains("jvm_memory_used_bytes")
        .contains("process_uptime_seconds");
  }

  @Test
  void reloadLatencyIsAHistogram() throws Exception {
    h.source.apply(TestVms.vm(2).with(o -> o.put("quota", 99)));
    org.awaitility.Awaitility.await()
        .until(() -> h.agent.store().get(TestVms.uuid(2)).orElseThrow().quota().getAsLong() == 99);
    h.source.apply(TestVms.vm(2));
    org.awaitility.Awaitility.await()
        .until(() -> h.agent.store().get(TestVms.uuid(2)).orElseThrow().quota().getAsLong() == 10);
    String text = h.get("/metrics").text();
    assertThat(text)
        .contains(
            "vminfo_reload_seconds_bucket{backend=\"fake\",kind=\"partial\",outcome=\"applied\"");
    assertThat(text)
        .contains(
            "vminfo_reload_seconds_count{backend=\"fake\",kind=\"partial\",outcome=\"applied\"}");
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
    try (RawHttp c = h.connect()) {
      for (int i = 0; i < 3; i++) {
        c.get("/ping");
        RawHttp.Response r = c.readResponse();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("connection")).isNull();
      }
      c.send("GET /ping HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
      assertThat(c.readResponse().header("connection")).isEqualTo("close");
      assertThat(c.awaitClosed(java.time.Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void http10WithoutKeepAliveIsClosedAfterTheAnswer() throws Exception {
    try (RawHttp c = h.connect()) {
      c.send("GET /vms/" + TestVms.uuid(1) + " HTTP/1.0\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("uuid").textValue()).isEqualTo(TestVms.uuid(1));
      assertThat(c.awaitClosed(java.time.Duration.ofSeconds(10))).isTrue();
    }
  }

  private static List<String> uuidsOf(RawHttp.Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    r.json().forEach(v -> out.add(v.get("uuid").textValue()));
    return out;
  }
}
