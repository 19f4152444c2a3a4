package io.vminfo.cli;

import static io.vminfo.cli.testing.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vminfo.cli.internal.output.CliJson;
import io.vminfo.cli.testing.CliRunner.Result;
import io.vminfo.cli.testing.Golden;
import io.vminfo.cli.testing.TestAgent;
import io.vminfo.cli.testing.UsageSpool;
import io.vminfo.cli.testing.Vms;
import io.vminfo.core.Vm;
import io.vminfo.usage.UsageRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vminfo usage tail}. The agent's {@code GET /usage} answers 503 until the usage recorder is
 * wired into it (agent-daemon phase 2); that answer is tested against the real agent, and the
 * record output against a stand-in serving exactly what the recorder's {@code latestSamples()}
 * gives: {@link UsageRecord#toJson()} lines in a JSON array.
 */
class UsageTailTest {
  @TempDir Path dir;

  HttpServer server;
  final AtomicInteger requests = new AtomicInteger();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  static String sample(String timestamp) throws IOException {
    Instant t = Instant.parse(timestamp);
    return List.of(Vms.web(), Vms.db()).stream()
        .map(vm -> record(t, vm))
        .collect(Collectors.joining(",", "[", "]"));
  }

  private static String record(Instant t, Vm vm) {
    try {
      return UsageRecord.of(t, Vms.SERVER, Optional.of("test-dc"), vm, UsageSpool.PROBE.sample(vm))
          .toJson();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Serves {@code bodies[i]} for the i-th request (the last one from then on). */
  private String serve(int status, String... bodies) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/usage",
        exchange -> {
          int n = Math.min(requests.getAndIncrement(), bodies.length - 1);
          byte[] body = bodies[n].getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void printsTheLatestRecordsAsFileLines() throws Exception {
    String url = serve(200, sample("2026-11-22T10:01:00.000Z"));
    Result r = cli().agent(url).run("usage", "tail");
    assertThat(r.exit()).as(r.toString()).isZero();
    Golden.assertMatches("usage-tail.txt", r.out());
    Result verify = cli().run("usage", "verify", write(r.out()).toString());
    assertThat(verify.out()).as("tail output is valid usage lines").contains(": ok");
  }

  @Test
  void followPrintsEachNewSampleOnce() throws Exception {
    String first = sample("2026-11-22T10:01:00.000Z");
    String second = sample("2026-11-22T10:02:00.000Z");
    String url = serve(200, first, first, first, second);
    Result r = cli().agent(url).run("usage", "tail", "-f", "--interval", "20ms", "-n", "4");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out().lines().map(l -> l.substring(0, l.indexOf("\"server_uuid\""))))
        .containsExactly(
            "{\"v\":1,\"type\":\"usage\",\"timestamp\":\"2026-11-22T10:01:00.000Z\",",
            "{\"v\":1,\"type\":\"usage\",\"timestamp\":\"2026-11-22T10:01:00.000Z\",",
            "{\"v\":1,\"type\":\"usage\",\"timestamp\":\"2026-11-22T10:02:00.000Z\",",
            "{\"v\":1,\"type\":\"usage\",\"timestamp\":\"2026-11-22T10:02:00.000Z\",");
    assertThat(requests.get()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void tailsTheRecordsOfARealAgent() throws Exception {
    try (TestAgent agent = TestAgent.start(dir, List.of(Vms.web(), Vms.db()))) {
      Result before = cli().agent(agent.url()).run("usage", "tail");
      assertThat(before.exit()).as(before.toString()).isZero();
      assertThat(before.out()).as("no sample yet").isEmpty();
      // The agent's clock is at 10:00:00; the recorder samples at the next minute boundary.
      agent.usageTime.advance(java.time.Duration.ofSeconds(61));
      Result r = cli().agent(agent.url()).run("usage", "tail");
      assertThat(r.exit()).as(r.toString()).isZero();
      List<String> lines = r.out().lines().toList();
      assertThat(lines).hasSize(2);
      for (String line : lines) {
        com.fasterxml.jackson.databind.JsonNode rec =
            CliJson.parse(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(rec.path("type").asText()).isEqualTo("usage");
        assertThat(rec.path("timestamp").asText()).isEqualTo("2026-11-22T10:01:00.000Z");
        assertThat(rec.path("server_uuid").asText()).isEqualTo(Vms.SERVER);
      }
      assertThat(lines)
          .anySatisfy(l -> assertThat(l).contains(Vms.web().uuid()))
          .anySatisfy(l -> assertThat(l).contains(Vms.db().uuid()));
    }
  }

  @Test
  void badAnswersAndNoAgent() throws Exception {
    String url = serve(200, "{\"not\":\"an array\"}");
    Result r = cli().agent(url).run("usage", "tail");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("/usage is not a JSON array");
    server.stop(0);
    Result gone = cli().agent(url).run("usage", "tail");
    assertThat(gone.exit()).isEqualTo(3);
    assertThat(gone.err()).startsWith("vminfo: cannot reach the agent at " + url + "/: ");
    server = null;
  }

  private Path write(String text) throws IOException {
    Path f = dir.resolve("2026/11/22/10/" + Vms.SERVER + ".log");
    java.nio.file.Files.createDirectories(f.getParent());
    // A file of usage lines needs the sample's summary to be complete.
    String summary =
        "{\"v\":1,\"type\":\"summary\",\"timestamp\":\"2026-11-22T10:01:00.000Z\","
            + "\"server_uuid\":\""
            + Vms.SERVER
            + "\",\"datacenter_name\":\"test-dc\",\"vm_count\":2,"
            + "\"runtime_ms\":3}\n";
    java.nio.file.Files.writeString(f, text + summary);
    return f;
  }
}
