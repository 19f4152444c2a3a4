package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.RawFeed;
import io.vminfo.core.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a real process: JSON log lines on stdout, a config file change applied while
 * running, and SIGTERM draining gracefully (the feed gets its last chunk, the process exits).
 */
class DaemonProcessTest {
  private static final Pattern READY = Pattern.compile("ready on http://127\\.0\\.0\\.1:(\\d+)/");

  @TempDir Path dir;

  @Test
  void runsReloadsItsConfigAndDrainsOnSigterm() throws Exception {
    Path config = dir.resolve("agent.json");
    Files.writeString(
        config,
        "{\"listen\":{\"port\":0},\"state_dir\":\""
            + dir.resolve("state")
            + "\",\"log_level\":\"info\"}");
    Daemon d = Daemon.start(FakeDaemonMain.class, List.of(), config);
    Process p = d.process;
    BlockingQueue<String> lines = d.lines;
    List<String> all = d.all;
    java.time.Instant killedAt;
    try {
      int port = Integer.parseInt(awaitLine(lines, READY).group(1));
      for (String l : all) {
        JsonNode j = Json.MAPPER.readTree(l); // every line is a JSON object
        assertThat(j.has("time") && j.has("level") && j.has("msg")).as(l).isTrue();
      }
      try (RawFeed feed = RawFeed.open(new InetSocketAddress("127.0.0.1", port), "")) {
        assertThat(feed.nextJson().get("vms").textValue()).contains("\"alias\":\"vm3\"");

        Files.writeString(
            config,
            "{\"listen\":{\"port\":0},\"state_dir\":\""
                + dir.resolve("state")
                + "\",\"log_level\":\"debug\",\"feed\":{\"max_subscribers\":7},"
                + "\"reconcile_interval\":\"1m\"}");
        awaitLine(
            lines,
            Pattern.compile(
                "configuration reloaded; applied: log_level," + " feed.max_subscribers"));
        awaitLine(lines, Pattern.compile("needs a restart to take effect: reconcile_interval"));

        killedAt = java.time.Instant.now();
        p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of stdout)
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(feed.nextLine()).isNull();
        assertThat(feed.http.sawLastChunk()).isTrue();
      }
      assertThat(p.exitValue()).isEqualTo(143); // terminated by SIGTERM, after the hooks ran
      d.reader.join(10_000);
      assertThat(all).anyMatch(l -> l.contains("stopping (within 10000 ms)"));
      assertThat(all).anyMatch(l -> l.contains("\"msg\":\"stopped in"));
      assertFlushedSampleInSpool(killedAt);
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * The drain sampled the interval in progress: the spool's last line is a summary stamped with the
   * end of the minute the SIGTERM came in (after it), preceded by one record per VM.
   */
  private void assertFlushedSampleInSpool(java.time.Instant killedAt) throws Exception {
    assertFlushedSampleInSpool(dir.resolve("state/spool"), killedAt, 3);
  }

  private static void assertFlushedSampleInSpool(Path spool, java.time.Instant killedAt, int vms)
      throws Exception {
    List<Path> logs;
    try (java.util.stream.Stream<Path> s = Files.walk(spool)) {
      logs = s.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
    }
    assertThat(logs).isNotEmpty();
    List<String> lines = Files.readAllLines(logs.get(logs.size() - 1));
    JsonNode summary = Json.MAPPER.readTree(lines.get(lines.size() - 1));
    assertThat(summary.get("type").textValue()).isEqualTo("summary");
    assertThat(summary.get("vm_count").asInt()).isEqualTo(vms);
    java.time.Instant stamp = java.time.Instant.parse(summary.get("timestamp").textValue());
    assertThat(stamp)
        .isAfter(killedAt)
        .isBeforeOrEqualTo(
            killedAt.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(60));
    long records =
        lines.stream()
            .filter(
                l ->
                    l.contains("\"timestamp\":\"" + summary.get("timestamp").textValue() + "\"")
                        && l.contains("\"type\":\"usage\""))
            .count();
    assertThat(records).isEqualTo(vms);
  }

  /**
   * {@code vminfod} exactly as shipped (AgentMain, default backend factory) on the bundled example
   * host: it serves the example VMs, and SIGTERM drains it (exit 143, "stopped in" logged, the last
   * usage sample flushed, no error). The 10 s budget is the agent's own deadline ({@code
   * shutdown_timeout}); this test only bounds its wait, it does not time the drain.
   */
  @Test
  void theRealDaemonServesTheExampleHostAndDrainsOnSigterm() throws Exception {
    Path config = dir.resolve("empty.json");
    Files.writeString(config, "{}");
    Path state = dir.resolve("example-state");
    Daemon d =
        Daemon.start(
            AgentMain.class,
            List.of("--backend=example", "--listen.port=0", "--state_dir=" + state),
            config);
    Process p = d.process;
    BlockingQueue<String> lines = d.lines;
    List<String> all = d.all;
    try {
      int port = Integer.parseInt(awaitLine(lines, READY).group(1));
      try (io.vminfo.agent.testing.RawHttp c =
          io.vminfo.agent.testing.RawHttp.connect(new InetSocketAddress("127.0.0.1", port))) {
        c.send("GET /vms HTTP/1.1\r\nHost: t\r\n\r\n");
        JsonNode vms = Json.MAPPER.readTree(c.readResponse().text());
        assertThat(vms).hasSize(5);
        assertThat(vms.get(0).get("server_uuid").textValue())
            .isEqualTo(io.vminfo.sysevent.ExampleHost.SERVER_UUID);
      }
      assertThat(state.resolve("example-host/etc/zones/index")).exists();
      java.time.Instant killedAt = java.time.Instant.now();
      p.toHandle().destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      assertThat(p.exitValue()).isEqualTo(143);
      d.reader.join(10_000);
      assertThat(all).anyMatch(l -> l.contains("\"msg\":\"stopped in"));
      assertThat(all).noneMatch(l -> l.contains("\"level\":\"ERROR\""));
      assertFlushedSampleInSpool(state.resolve("spool"), killedAt, 5);
    } finally {
      p.destroyForcibly();
    }
  }

  /** A daemon JVM with this test's classpath; its stdout lines collected as they come. */
  private static final class Daemon {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> all = new CopyOnWriteArrayList<>();
    final Thread reader;

    private Daemon(Process process) {
      this.process = process;
      this.reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String l;
                  while ((l = r.readLine()) != null) {
                    lines.add(l);
                    all.add(l);
                  }
                } catch (java.io.IOException e) {
                  // process ended
                }
              },
              "daemon-stdout");
      reader.start();
    }

    /** Runs {@code main} with {@code args}; the config file is named by {@code VMINFO_CONFIG}. */
    static Daemon start(Class<?> main, List<String> args, Path config) throws IOException {
      List<String> cmd =
          new java.util.ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-Xmx128m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  main.getName()));
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("VMINFO_CONFIG", config.toString());
      return new Daemon(pb.start());
    }
  }

  private static Matcher awaitLine(BlockingQueue<String> lines, Pattern pattern)
      throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < end) {
      String l = lines.poll(1, TimeUnit.SECONDS);
      if (l != null) {
        Matcher m = pattern.matcher(l);
        if (m.find()) {
          return m;
        }
      }
    }
    throw new AssertionError("no log line matching " + pattern);
  }
}
