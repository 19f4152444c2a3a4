package io.vminfo.ittests.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vminfo.fleet.FleetView;
import io.vminfo.fleet.FleetVm;
import io.vminfo.ittests.AgentDistribution;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.KafkaBroker;
import io.vminfo.ittests.SmartOsHostTree;
import io.vminfo.ittests.ZoneSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 end to end: a real one-node Kafka (KRaft, auto-create off) and three packaged agents
 * over three SmartOS trees, publishing feed, current VMs and accelerated usage. Zones change on all
 * hosts while the broker is SIGKILLed and restarted, one agent is SIGKILLed and restarted (new
 * epoch: a full resync with tombstones for what went away meanwhile), and one has a feed history of
 * 3 events so the changes made during the outage overflow it (a resync from history loss). Then the
 * fleet view must equal the union of the three {@code /vms}, VM object by VM object, and the usage
 * topic must hold every usage record any spool ever made durable.
 */
class FleetKafkaIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int RATE =
      120; // a simulated minute (one sample) every 0.5 s, an hour every 30 s

  @TempDir Path dir;

  private KafkaBroker kafka;
  private final List<AgentProcess> running = new ArrayList<>();

  @AfterEach
  void tearDown(TestInfo info) {
    running.forEach(AgentProcess::close);
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void fleetViewEqualsTheUnionOfThreeHostsThroughBrokerAndAgentCrashes() throws Exception {
    long t0 = System.nanoTime();
    kafka = KafkaBroker.start(dir.resolve("kafka"), WAIT);
    System.out.println(
        "FleetKafkaIT: broker up in " + ms(t0) + " ms at " + kafka.bootstrapServers());
    Instant origin = Instant.now();
    List<SmartOsHostTree> trees = new ArrayList<>();
    List<AgentProcess.Builder> builders = new ArrayList<>();
    for (int h = 0; h < 3; h++) {
      SmartOsHostTree tree = SmartOsHostTree.create(dir.resolve("host" + h));
      for (int z = 0; z < 3; z++) {
        tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "h" + h + "-vm" + z));
      }
      trees.add(tree);
      AgentProcess.Builder b =
          AgentProcess.builder(dir.resolve("agent" + h))
              .set("host_root", tree.root())
              .set("backend", "smartos")
              .set("log_level", "info")
              .set("storage.local.dir", dir.resolve("archive" + h))
              .set("usage.interval", "60s")
              .set("usage.grace", "1m")
              .set("usage.max_catch_up", "168h")
              .set("testing.usage_clock_rate", RATE)
              .set("testing.usage_clock_origin", origin.toString())
              .set("fleet.enabled", true)
              .set("fleet.bootstrap_servers", kafka.bootstrapServers())
              .set("fleet.ack_timeout", "6s")
              .set("shutdown_timeout", "5s");
      if (h == 2) {
        b.set("feed.history_events", 3);
      }
      builders.add(b);
    }
    List<AgentProcess> agents = new ArrayList<>();
    for (AgentProcess.Builder b : builders) {
      agents.add(track(b.start()));
    }
    Set<String> durable = new HashSet<>();
    try (FleetView view = new FleetView(kafka.bootstrapServers(), "vminfo.vms", "vminfo.feed")) {
      long tFirst = System.nanoTime();
      awaitViewEqualsAgents(view, agents, trees);
      System.out.println(
          "FleetKafkaIT: first fleet view complete " + ms(tFirst) + " ms after agents up");
      try (Admin admin = kafka.admin()) {
        ConfigResource vms = new ConfigResource(ConfigResource.Type.TOPIC, "vminfo.vms");
        Config c = admin.describeConfigs(List.of(vms)).all().get().get(vms);
        assertThat(c.get("cleanup.policy").value())
            .as("the publisher created the VM topic compacted")
            .isEqualTo("compact");
        assertThat(admin.listTopics().names().get())
            .contains("vminfo.feed", "vminfo.vms", "vminfo.usage");
      }

      // latency: one zone change on host 0 until the view has it
      String probe = trees.get(0).zones().keySet().iterator().next();
      long tChange = System.nanoTime();
      trees.get(0).update(probe, z -> z.withAlias("probe-1"));
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                view.refresh(WAIT);
                return view.all().stream()
                    .anyMatch(
                        v ->
                            v.uuid().equals(probe)
                                && v.alias().filter("probe-1"::equals).isPresent());
              });
      System.out.println("FleetKafkaIT: zone file change -> fleet view: " + ms(tChange) + " ms");

      // the broker dies mid-stream; every host keeps changing
      kafka.kill();
      for (int h = 0; h < 3; h++) {
        mutate(trees.get(h), h, "outage");
      }
      SmartOsHostTree c = trees.get(2);
      for (int i = 0; i < 6; i++) { // more than host 2's feed history of 3
        String u = new ArrayList<>(c.zones().keySet()).get(i % c.zones().size());
        c.update(u, z -> z.withCpuCap(100 + z.cpuCap() % 50 + 1));
      }
      for (int h = 0; h < 3; h++) {
        E2eTruth.await(agents.get(h), trees.get(h));
      }
      AgentProcess a0 = agents.get(0);
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !a0.getJson("/status").path("fleet").path("connected").asBoolean(true));
      kafka.restart();

      // host 1's agent is SIGKILLed; its host changes while it is down; it comes back (new epoch)
      durable.addAll(durableSpoolRecords(builders.get(1).stateDir().resolve("spool")));
      agents.get(1).kill();
      durable.addAll(durableSpoolRecords(builders.get(1).stateDir().resolve("spool")));
      running.remove(agents.get(1));
      mutate(trees.get(1), 1, "down");
      agents.set(1, track(builders.get(1).start()));

      for (int h = 0; h < 3; h++) {
        mutate(trees.get(h), h, "after");
      }
      long tFinal = System.nanoTime();
      awaitViewEqualsAgents(view, agents, trees);
      System.out.println(
          "FleetKafkaIT: fleet view equal to the three /vms "
              + ms(tFinal)
              + " ms after the last changes");

      JsonNode s1 = agents.get(1).getJson("/status").path("fleet");
      JsonNode s2 = agents.get(2).getJson("/status").path("fleet");
      assertThat(s1.path("resyncs").asLong())
          .as("host 1 after its restart: %s", s1)
          .isGreaterThanOrEqualTo(1);
      assertThat(s2.path("resyncs").asLong())
          .as("host 2 after its history overflowed: %s", s2)
          .isGreaterThanOrEqualTo(2);

      // queries
      String someVm = view.all().get(0).uuid();
      assertThat(view.hostsOf(someVm)).hasSize(1);
      Map<String, Integer> counts = view.countsByHost();
      assertThat(counts).hasSize(3);
      long stopped =
          agents.stream()
              .mapToLong(
                  a -> {
                    try {
                      return stream(a.getJson("/vms"))
                          .filter(v -> v.path("state").asText().equals("stopped"))
                          .count();
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  })
              .sum();
      assertThat(view.withState("stopped")).hasSize((int) stopped);
      assertThat(stopped).as("the mutations stopped some VMs").isPositive();
      assertThat(view.badRecords()).isZero();
      System.out.printf(
          "FleetKafkaIT: mean VM object %.0f bytes%n",
          view.all().stream().mapToInt(v -> v.vm().toString().length()).average().orElse(0));

      // the CLI of the distribution, as a user runs it
      List<String> listed =
          cli("fleet", "list", "--bootstrap-servers", kafka.bootstrapServers(), "-j");
      assertThat(listed).hasSize(view.all().size());
      assertThat(listed)
          .allSatisfy(l -> assertThat(parse(l).path("vm").path("uuid").isTextual()).isTrue());
      FleetVm one = view.all().get(view.all().size() - 1);
      assertThat(
              cli("fleet", "host-of", "--bootstrap-servers", kafka.bootstrapServers(), one.uuid()))
          .containsExactly(one.serverUuid());
      List<String> stoppedRows =
          cli(
              "fleet",
              "list",
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--state",
              "stopped");
      assertThat(stoppedRows).hasSize((int) stopped + 1); // and the header
      CliRun missing =
          cliRun(
              "fleet",
              "list",
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--vms-topic",
              "no.such.topic",
              "--timeout",
              "10s");
      assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
      assertThat(missing.err()).contains("no.such.topic does not exist");
      List<String> followed =
          cli(
              "fleet",
              "follow",
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--max-events",
              "5");
      assertThat(followed)
          .hasSize(5)
          .allSatisfy(
              l ->
                  assertThat(parse(l).path("server_uuid").asText())
                      .isIn(trees.stream().map(SmartOsHostTree::serverUuid).toList()));
    }

    // usage: everything any spool made durable is in the topic (at least once)
    for (int h = 0; h < 3; h++) {
      durable.addAll(durableSpoolRecords(builders.get(h).stateDir().resolve("spool")));
    }
    assertThat(durable).as("durable usage records").hasSizeGreaterThan(30);
    Map<String, Integer> seen = new HashMap<>();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              seen.clear();
              seen.putAll(usageTopic(kafka.bootstrapServers()));
              Set<String> missing = new HashSet<>(durable);
              missing.removeAll(seen.keySet());
              assertThat(missing)
                  .as("durable usage records missing from the topic (of %d)", durable.size())
                  .isEmpty();
            });
    long dups = seen.values().stream().filter(n -> n > 1).count();
    System.out.printf(
        "FleetKafkaIT: mean usage line %.0f bytes%n",
        seen.keySet().stream().mapToInt(String::length).average().orElse(0));
    System.out.printf(
        "FleetKafkaIT: %d durable usage records all in the topic (%d records there, %d"
            + " distinct lines seen more than once); whole test %d ms%n",
        durable.size(), seen.values().stream().mapToInt(Integer::intValue).sum(), dups, ms(t0));
    for (AgentProcess a : agents) {
      System.out.println("FleetKafkaIT: " + a + " fleet " + a.getJson("/status").path("fleet"));
      assertThat(a.getJson("/status").path("fleet").path("usageFilesMissed").asLong()).isZero();
      String metrics = a.get("/metrics").body();
      assertThat(metrics)
          .containsPattern("vminfo_fleet_published_total\\{kind=\"usage\"[^}]*\\} [1-9]")
          .contains("vminfo_fleet_connected 1.0")
          .contains("vminfo_fleet_lag 0.0");
    }
  }

  record CliRun(int exit, String out, String err) {}

  /** Runs {@code bin/vminfo} of the distribution to its end. */
  private CliRun cliRun(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(AgentDistribution.locate().home().resolve("bin/vminfo").toString());
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(dir, "cli", ".err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
        .as("vminfo %s ends", cmd)
        .isTrue();
    return new CliRun(
        p.exitValue(),
        new String(out, java.nio.charset.StandardCharsets.UTF_8),
        Files.readString(err));
  }

  /** Runs {@code bin/vminfo} of the distribution; its stdout lines, after it exited 0. */
  private List<String> cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(AgentDistribution.locate().home().resolve("bin/vminfo").toString());
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(dir, "cli", ".err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
        .as("vminfo %s ends", cmd)
        .isTrue();
    String text = new String(out, java.nio.charset.StandardCharsets.UTF_8);
    System.out.println("FleetKafkaIT: vminfo " + String.join(" ", args) + " ->\n" + text.strip());
    assertThat(p.exitValue())
        .as("exit of vminfo %s: %s\nstderr: %s", cmd, text, Files.readString(err))
        .isZero();
    return text.lines().toList();
  }

  private AgentProcess track(AgentProcess p) {
    running.add(p);
    return p;
  }

  /** Stops one VM, renames one, adds one, deletes one (keeping at least two). */
  private static void mutate(SmartOsHostTree tree, int h, String tag) throws IOException {
    List<String> uuids = new ArrayList<>(tree.zones().keySet());
    tree.setState(uuids.get(0), "stopped");
    tree.update(uuids.get(1), z -> z.withAlias("h" + h + "-" + tag));
    tree.create(ZoneSpec.of(UUID.randomUUID().toString(), "h" + h + "-new-" + tag));
    if (uuids.size() > 3) {
      tree.delete(uuids.get(uuids.size() - 1));
    }
  }

  /** The view (read to the end) equals every agent's /vms: same keys, same VM object, same host. */
  private static void awaitViewEqualsAgents(
      FleetView view, List<AgentProcess> agents, List<SmartOsHostTree> trees) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        // the VM topic may not exist yet in the first moments: FleetView says so
        .ignoreExceptionsInstanceOf(IllegalStateException.class)
        .untilAsserted(
            () -> {
              for (int h = 0; h < agents.size(); h++) {
                assertThat(trees.get(h).differences(agents.get(h).getJson("/vms")))
                    .as("host %d /vms", h)
                    .isEmpty();
              }
              Map<String, JsonNode> expected = new TreeMap<>();
              for (int h = 0; h < agents.size(); h++) {
                for (JsonNode vm : agents.get(h).getJson("/vms")) {
                  expected.put(trees.get(h).serverUuid() + "/" + vm.path("uuid").asText(), vm);
                }
              }
              view.refresh(WAIT);
              Map<String, JsonNode> actual = new TreeMap<>();
              for (FleetVm v : view.all()) {
                actual.put(v.serverUuid() + "/" + v.uuid(), v.vm());
              }
              assertThat(actual.keySet()).isEqualTo(expected.keySet());
              for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
                assertThat(actual.get(e.getKey())).as("VM %s", e.getKey()).isEqualTo(e.getValue());
              }
            });
  }

  private static Map<String, Integer> usageTopic(String servers) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, Integer> lines = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps =
          c.partitionsFor("vminfo.usage", Duration.ofSeconds(15)).stream()
              .map(pi -> new TopicPartition(pi.topic(), pi.partition()))
              .toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(15));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp, Duration.ofSeconds(15)) < end.get(tp))) {
        assertThat(System.nanoTime())
            .as("usage topic read to its end in time")
            .isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          String line = new String(r.value(), java.nio.charset.StandardCharsets.UTF_8).strip();
          JsonNode n = parse(line);
          String kind =
              n.path("type").asText().equals("summary") ? "summary" : n.path("uuid").asText();
          assertThat(r.key())
              .as("usage key")
              .endsWith("/" + kind + "/" + n.path("timestamp").asText());
          lines.merge(line, 1, Integer::sum);
        }
      }
    }
    return lines;
  }

  /** Complete samples in a spool (open files to their last summary line, sealed files whole). */
  private static Set<String> durableSpoolRecords(Path spool) throws IOException {
    Set<String> out = new HashSet<>();
    if (!Files.isDirectory(spool)) {
      return out;
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(spool)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(
                  f -> {
                    String n = f.getFileName().toString();
                    return spool.relativize(f).toString().matches("\\d{4}/.*")
                        && !n.startsWith(".")
                        && (n.endsWith(".log") || n.endsWith(".log.gz"));
                  })
              .toList();
    }
    for (Path f : files) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(f);
      } catch (java.nio.file.NoSuchFileException gone) {
        continue; // sealed meanwhile: its .log.gz is read on the next look
      }
      if (f.getFileName().toString().endsWith(".gz")) {
        try (InputStream in =
            new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        }
      }
      List<String> lines =
          new String(bytes, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
      int lastSummary = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains("\"type\":\"summary\"")) {
          lastSummary = i;
        }
      }
      lines.subList(0, lastSummary + 1).forEach(l -> out.add(l.strip()));
    }
    return out;
  }

  private static Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> l = new ArrayList<>();
    array.forEach(l::add);
    return l.stream();
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Waits until an agent's /vms equals its tree. */
  private static final class E2eTruth {
    static void await(AgentProcess agent, SmartOsHostTree tree) {
      org.awaitility.Awaitility.await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(tree.differences(agent.getJson("/vms"))).isEmpty());
    }
  }
}
