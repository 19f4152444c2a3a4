package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.TestKeys;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.HostIdentity;
import io.vminfo.core.internal.Json;
import io.vminfo.core.testing.FakeVmSource;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import io.vminfo.manta.emulator.MantaEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage recorder inside the agent, end to end, with the recorder's time driven by a manual
 * scheduler: samples reach {@code /usage}, {@code /status} and the metrics; after the hour plus
 * grace the sealed file lands in the configured store (a local directory, or Manta through the
 * emulator), also when Manta fails for a while; a key Manta does not know parks the upload, visible
 * in {@code /status}, while the agent keeps serving.
 */
class UsageStorageTest {
  private static final String HOUR_10 = "usage/2026/11/22/10/" + TestVms.SERVER + ".log.gz";

  @TempDir Path dir;

  private final ManualClock clock = ManualClock.at("2026-11-22T10:58:30Z");
  private final ManualScheduler usageTime = new ManualScheduler(clock);
  private AgentHarness h;
  private MantaEmulator manta;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    if (manta != null) {
      manta.close();
    }
  }

  private void start(Consumer<AgentConfig.Builder> tweak) throws Exception {
    FakeVmSource source =
        new FakeVmSource(
            TestVms.many(3), new HostIdentity(Optional.of(TestVms.SERVER), Optional.of("dc-test")));
    h =
        AgentHarness.start(
            source,
            dir.resolve("state"),
            b -> {
              b.set("usage.grace", "1m");
              tweak.accept(b);
            },
            null,
            a -> a.clock(clock).usageScheduler(usageTime));
  }

  @Test
  void samplesAreServedAndSealedHoursLandInTheLocalStore() throws Exception {
    start(b -> b.set("storage.local.dir", dir.resolve("archive").toString()));
    usageTime.advance(Duration.ofSeconds(30)); // the 10:59 sample

    JsonNode usage = h.get("/usage").json();
    assertThat(usage).hasSize(3);
    for (JsonNode r : usage) {
      assertThat(r.get("timestamp").textValue()).isEqualTo("2026-11-22T10:59:00.000Z");
      assertThat(r.get("server_uuid").textValue()).isEqualTo(h.agent.serverUuid());
      assertThat(r.get("datacenter_name").textValue()).isEqualTo("dc-test");
    }
    assertThat(usage.get(0).get("uuid").textValue()).isEqualTo(TestVms.uuid(1));
    JsonNode status = h.get("/status").json().get("usage");
    assertThat(status.get("lastSample").textValue()).isEqualTo("2026-11-22T10:59:00.000Z");
    assertThat(status.get("recordsWritten").asLong()).isEqualTo(3);
    assertThat(status.get("upload").get("pendingFiles").asInt()).isEqualTo(1);
    assertThat(status.get("upload").get("oldestPendingHour").textValue())
        .isEqualTo("2026-11-22T10:00:00.000Z");
    assertThat(status.get("spool").get("bytes").asLong()).isPositive();
    assertThat(metrics())
        .contains("vminfo_usage_records_written_total 3.0")
        .doesNotContain("vminfo_usage_spool_bytes 0.0");

    usageTime.advance(Duration.ofMinutes(2)); // 11:00 and 11:01 samples; hour 10 due at 11:01
    Path object = dir.resolve("archive/local/stor/" + HOUR_10);
    assertThat(object).exists();
    List<String> lines = gunzipLines(Files.readAllBytes(object));
    assertThat(lines).hasSize(4);
    assertThat(lines.get(3)).contains("\"type\":\"summary\"").contains("\"vm_count\":3");
    status = h.get("/status").json().get("usage");
    assertThat(status.get("upload").get("succeeded").asLong()).isEqualTo(1);
    assertThat(status.get("upload").get("lastUpload").textValue()).startsWith("2026-11-22T11:01");
    assertThat(status.get("upload").get("parked")).isEmpty();
    assertThat(status.get("ledger").get("bytes").asLong()).isPositive();
    assertThat(metrics())
        .contains("vminfo_usage_uploads_total{result=\"succeeded\"} 1.0")
        .contains("vminfo_usage_uploads_total{result=\"failed\"} 0.0")
        .contains("vminfo_usage_records_written_total 9.0");
  }

  @Test
  void mantaUploadsRetryThroughOutagesAndDroppedConnections() throws Exception {
    TestKeys key = TestKeys.generate(dir.resolve("id_rsa"));
    manta =
        MantaEmulator.builder()
            .root(dir.resolve("manta"))
            .key("alice", key.pair().getPublic())
            .start();
    start(b -> manta(b, key));
    usageTime.advance(Duration.ofSeconds(30));

    manta.faults().refuseAll(); // 503 for every request
    usageTime.advance(Duration.ofMinutes(2)); // hour 10 due: the upload fails, to be retried
    JsonNode upload = h.get("/status").json().get("usage").get("upload");
    assertThat(upload.get("failed").asLong()).isPositive();
    assertThat(upload.get("succeeded").asLong()).isZero();
    assertThat(upload.get("nextAttempt").isTextual()).isTrue();
    assertThat(upload.get("parked")).isEmpty();
    JsonNode lastError = h.get("/status").json().get("usage").get("lastError");
    assertThat(lastError.get("message").textValue()).contains("503");
    assertThat(manta.fileOf("/alice/stor/" + HOUR_10)).isEmpty();

    manta.faults().acceptAll();
    manta.faults().dropAll(); // connections closed without an answer
    usageTime.advance(Duration.ofSeconds(30));
    assertThat(h.get("/status").json().get("usage").get("upload").get("succeeded").asLong())
        .isZero();

    manta.faults().acceptAll();
    usageTime.advance(Duration.ofMinutes(10)); // past the longest backoff so far
    upload = h.get("/status").json().get("usage").get("upload");
    assertThat(upload.get("succeeded").asLong()).isEqualTo(1);
    assertThat(upload.get("target").textValue()).isEqualTo("manta " + manta.url() + " as alice");
    assertThat(upload.get("pathTemplate").textValue()).startsWith("/alice/stor/usage/");
    Path stored = manta.fileOf("/alice/stor/" + HOUR_10).orElseThrow();
    List<String> lines = gunzipLines(Files.readAllBytes(stored));
    assertThat(lines)
        .hasSize(4)
        .allMatch(l -> l.contains("\"timestamp\":\"2026-11-22T10:59:00.000Z\""));
    assertThat(metrics())
        .contains("vminfo_usage_uploads_total{result=\"succeeded\"} 1.0")
        .containsPattern("vminfo_usage_uploads_total\\{result=\"failed\"} [1-9][0-9]*\\.0");
  }

  @Test
  void aKeyMantaDoesNotKnowParksTheUploadVisiblyAndTheAgentKeepsServing() throws Exception {
    TestKeys known = TestKeys.generate(dir.resolve("known_rsa"));
    TestKeys wrong = TestKeys.generate(dir.resolve("wrong_rsa"));
    manta =
        MantaEmulator.builder()
            .root(dir.resolve("manta"))
            .key("alice", known.pair().getPublic())
            .start();
    start(b -> manta(b, wrong));
    usageTime.advance(Duration.ofMinutes(3));

    JsonNode usage = h.get("/status").json().get("usage");
    JsonNode parked = usage.get("upload").get("parked");
    assertThat(parked).hasSize(1);
    assertThat(parked.get(0).get("remotePath").textValue()).isEqualTo("/alice/stor/" + HOUR_10);
    assertThat(parked.get(0).get("reason").textValue()).contains("KeyDoesNotExist");
    assertThat(usage.get("upload").get("pendingFiles").asInt()).isEqualTo(2); // parked + hour 11
    assertThat(usage.get("lastError").get("component").textValue()).isEqualTo("upload");
    assertThat(h.get("/status").json().toString()).doesNotContain("PRIVATE KEY");
    // the recorder and the API go on
    assertThat(h.get("/vms").json()).hasSize(3);
    usageTime.advance(Duration.ofMinutes(1));
    assertThat(h.get("/usage").json().get(0).get("timestamp").textValue())
        .isEqualTo("2026-11-22T11:02:00.000Z");
    assertThat(parkedFiles()).hasSize(1);
  }

  private void manta(AgentConfig.Builder b, TestKeys key) {
    b.set("storage.target", "manta")
        .set("storage.manta.url", manta.url().toString())
        .set("storage.manta.user", "alice")
        .set("storage.manta.key_id", key.md5Fingerprint())
        .set("storage.manta.key_path", key.privateKeyFile().toString());
  }

  private List<Path> parkedFiles() throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("state/spool"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log.gz")).toList();
    }
  }

  private String metrics() throws IOException {
    return h.get("/metrics").text();
  }

  private static List<String> gunzipLines(byte[] gz) throws IOException {
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>();
      for (String l : text.split("\n")) {
        Json.MAPPER.readTree(l); // every line is JSON
        out.add(l);
      }
      return out;
    }
  }
}
