package io.vminfo.ittests.e2e;

import static io.vminfo.ittests.e2e.E2e.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.ittests.AgentProcess;
import io.vminfo.ittests.FeedSubscriber;
import io.vminfo.ittests.LibvirtHost;
import io.vminfo.ittests.libvirt.LibvirtTesting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * E2E 1 and the libvirt half of E2E 3: the packaged agent on a real libvirtd (started by {@link
 * LibvirtHost} under a subreaper; skipped with a message when libvirt/QEMU are missing).
 */
@ResourceLock(LibvirtTesting.DAEMON)
class LibvirtAgentIT {
  static LibvirtHost host;

  @TempDir Path dir;

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

  AgentProcess.Builder agent() {
    return AgentProcess.builder(dir.resolve("agent"))
        .set("backend", "libvirt")
        .set("host_root", "/")
        .set("usage.interval", "1s");
  }

  /**
   * E2E 1: define, start, suspend, resume, destroy, undefine a 64 MiB guest with a tap NIC. Each
   * step is on {@code /events} in order with the right state; {@code /vms} agrees with {@code virsh
   * dominfo} / {@code domiflist} / {@code list --all}; usage records carry the vnet counters and
   * they grow with the guest's own (PXE/DHCP) traffic and with traffic sent to it.
   */
  @Test
  void followsAGuestThroughItsLifeWithUsage() throws Exception {
    String name = "vminfo-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    try (AgentProcess agent = agent().start();
        FeedSubscriber feed = FeedSubscriber.openRecording(agent.uri(), "libvirt", "", WAIT)) {
      String uuid = host.defineGuest(name);
      JsonNode defined = awaitVm(agent, uuid, vm -> state(vm).equals("stopped"));
      agreesWithDominfo(defined, host.dominfo(name));
      assertThat(defined.path("zoneid").isNull()).isTrue();

      host.startGuest(name);
      JsonNode running =
          awaitVm(
              agent,
              uuid,
              vm -> state(vm).equals("running") && vm.path("nics").path(0).has("interface"));
      agreesWithDominfo(running, host.dominfo(name));
      List<LibvirtHost.Interface> ifaces = host.domiflist(name);
      assertThat(ifaces).hasSize(1);
      JsonNode nic = running.path("nics").path(0);
      String dev = ifaces.get(0).name();
      assertThat(nic.path("interface").asText()).isEqualTo(dev);
      assertThat(nic.path("mac").asText()).isEqualTo(ifaces.get(0).mac());
      assertThat(nic.path("model").asText()).isEqualTo(ifaces.get(0).model());
      assertThat(running.path("pid").asLong())
          .isEqualTo(
              Long.parseLong(
                  Files.readString(Path.of("/run/libvirt/qemu/" + name + ".pid")).trim()));
      agreesWithVirshList(agent);

      usageCarriesGrowingVnetCounters(agent, uuid, nic.path("mac").asText(), dev);

      host.suspend(name);
      JsonNode paused = awaitVm(agent, uuid, vm -> state(vm).equals("paused"));
      agreesWithDominfo(paused, host.dominfo(name));
      assertThat(host.virsh("domstate", name, "--reason").trim())
          .isEqualTo("paused (" + paused.path("libvirt_reason").asText() + ")");
      host.resume(name);
      agreesWithDominfo(
          awaitVm(agent, uuid, vm -> state(vm).equals("running")), host.dominfo(name));
      host.destroy(name);
      JsonNode destroyed = awaitVm(agent, uuid, vm -> state(vm).equals("stopped"));
      agreesWithDominfo(destroyed, host.dominfo(name));
      assertThat(destroyed.has("pid")).isFalse();
      host.undefine(name);
      await().atMost(WAIT).until(() -> agent.get("/vms/" + uuid).status() == 404);
      agreesWithVirshList(agent);

      E2e.assertFeedEqualsVms(feed, agent);
      assertThat(feed.violations()).isEmpty();
      List<JsonNode> mine =
          feed.lines().stream()
              .map(E2e::parse)
              .filter(l -> l.path("uuid").asText().equals(uuid))
              .toList();
      assertThat(mine.get(0).path("type").asText()).isEqualTo("create");
      assertThat(mine.get(mine.size() - 1).path("type").asText()).isEqualTo("delete");
      assertThat(mine.subList(1, mine.size() - 1))
          .allMatch(l -> l.path("type").asText().equals("modify"));
      List<String> states = new ArrayList<>();
      for (JsonNode l : mine.subList(0, mine.size() - 1)) {
        String s = state(l.path("vm"));
        if (states.isEmpty() || !states.get(states.size() - 1).equals(s)) {
          states.add(s);
        }
      }
      System.out.println("LibvirtAgentIT: states on the feed: " + states);
      assertThat(states).containsSubsequence("stopped", "running", "paused", "running", "stopped");
      assertThat(agent.getJson("/status").path("vmErrors").toString()).doesNotContain(name);
    }
  }

  void usageCarriesGrowingVnetCounters(AgentProcess agent, String uuid, String mac, String dev)
      throws Exception {
    JsonNode first =
        await()
            .atMost(WAIT)
            .until(
                () -> usageOf(agent, uuid),
                r ->
                    r.isPresent()
                        && r.get().path("network_usage").has(mac)
                        && r.get().path("status").asText().equals("running"))
            .orElseThrow();
    JsonNode n0 = first.path("network_usage").path(mac);
    assertThat(n0.path("interface").asText()).isEqualTo(dev);
    // the idle guest's firmware keeps sending DHCP/PXE requests: its sent counter grows by itself
    JsonNode later =
        await()
            .atMost(WAIT)
            .until(
                () -> usageOf(agent, uuid),
                r ->
                    r.isPresent()
                        && r.get().path("network_usage").path(mac).path("sent_bytes").asLong()
                            > n0.path("sent_bytes").asLong())
            .orElseThrow();
    // and what the host sends into the tap shows up as received by the guest
    JsonNode received =
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  LibvirtTesting.sendTo(dev);
                  return usageOf(agent, uuid);
                },
                r ->
                    r.isPresent()
                        && r.get().path("network_usage").path(mac).path("received_bytes").asLong()
                            > n0.path("received_bytes").asLong())
            .orElseThrow();
    JsonNode n1 = received.path("network_usage").path(mac);
    assertThat(n1.path("counter_start").asText()).isEqualTo(n0.path("counter_start").asText());
    assertThat(java.time.Instant.parse(later.path("timestamp").asText()))
        .isAfter(java.time.Instant.parse(first.path("timestamp").asText()));
    System.out.printf("LibvirtAgentIT: %s usage %s -> %s%n", dev, n0, n1);
    // the same records are in the spool's hourly file, each line one JSON object
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(spoolLinesFor(dir.resolve("agent/state/spool"), uuid))
                    .anyMatch(
                        l ->
                            l.path("network_usage")
                                .path(mac)
                                .path("interface")
                                .asText()
                                .equals(dev)));
  }

  static List<JsonNode> spoolLinesFor(Path spool, String uuid) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(spool)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(spool)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode j = E2e.parse(line);
          if (j.path("uuid").asText().equals(uuid)) {
            out.add(j);
          }
        }
      }
    }
    return out;
  }

  static Optional<JsonNode> usageOf(AgentProcess agent, String uuid) throws Exception {
    for (JsonNode r : agent.getJson("/usage")) {
      if (r.path("uuid").asText().equals(uuid)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /**
   * E2E 3, libvirt half: random defines, undefines and metadata edits (guest starts cost too much
   * for thousands of them) while 20 subscribers follow the feed, a third of them disconnecting and
   * resuming; at the end the rebuilt states, {@code /vms}, {@code virsh list --all} and what was
   * done all agree, with no gap in {@code rev}.
   */
  @Test
  void truthSoakOnLibvirt() throws Exception {
    long seed = Long.getLong("soak.seed", System.nanoTime());
    System.out.println("LibvirtAgentIT soak seed " + seed);
    Random random = new Random(seed);
    int mutations = Integer.getInteger("soak.libvirt.mutations", 300);
    try (AgentProcess agent = agent().set("usage.interval", "60s").start()) {
      List<FeedSubscriber> subs = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 20; i++) {
        subs.add(FeedSubscriber.open(agent.uri(), "lv-" + i, WAIT));
      }
      AtomicBoolean running = new AtomicBoolean(true);
      List<Throwable> churnErrors = new CopyOnWriteArrayList<>();
      Thread churn =
          new Thread(
              () -> {
                Random r = new Random(seed + 1);
                try {
                  while (running.get()) {
                    FeedSubscriber s = subs.get(r.nextInt(7));
                    s.disconnect();
                    Thread.sleep(r.nextInt(100));
                    s.resume(WAIT);
                  }
                } catch (Throwable t) {
                  churnErrors.add(t);
                }
              },
              "lv-soak-churn");
      churn.start();
      Map<String, Guest> truth = new TreeMap<>();
      String prefix = "vminfo-soak-" + Long.toHexString(seed & 0xffffff) + "-";
      int n = 0;
      try {
        for (int i = 0; i < mutations; i++) {
          int kind = truth.size() < 3 ? 0 : truth.size() > 15 ? 1 : random.nextInt(3);
          if (kind == 0) {
            String name = prefix + (n++);
            truth.put(name, new Guest(host.defineGuest(name), Map.of(), Map.of()));
          } else {
            List<String> names = new ArrayList<>(truth.keySet());
            String name = names.get(random.nextInt(names.size()));
            if (kind == 1) {
              host.undefine(name);
              truth.remove(name);
            } else {
              Map<String, String> fields = Map.of("owner_uuid", UUID.randomUUID().toString());
              Map<String, String> md = Map.of("k" + random.nextInt(3), "v" + random.nextInt(100));
              host.setVminfoMetadata(name, fields, md);
              truth.put(name, new Guest(truth.get(name).uuid(), fields, md));
            }
          }
        }
      } finally {
        running.set(false);
        churn.join(60_000);
      }
      assertThat(churnErrors).isEmpty();
      try {
        await()
            .atMost(WAIT)
            .untilAsserted(() -> assertThat(libvirtDifferences(agent, truth, prefix)).isEmpty());
        agreesWithVirshList(agent);
        long rev = SmartOsTruthSoakIT.awaitStableRev(agent);
        Map<String, JsonNode> vms = E2e.vms(agent);
        for (FeedSubscriber s : subs) {
          assertThat(s.awaitRev(rev, WAIT)).as("%s reaches %d", s, rev).isTrue();
          assertThat(s.violations()).isEmpty();
          assertThat(s.resyncs()).isZero();
          assertThat(s.vms()).isEqualTo(vms);
          s.close();
        }
        System.out.printf(
            "LibvirtAgentIT soak: %d mutations, %d guests left, final rev %d%n",
            mutations, truth.size(), rev);
      } finally {
        for (String name : truth.keySet()) {
          host.undefine(name);
        }
      }
    }
  }

  record Guest(String uuid, Map<String, String> fields, Map<String, String> customerMetadata) {}

  static List<String> libvirtDifferences(
      AgentProcess agent, Map<String, Guest> truth, String prefix) throws Exception {
    List<String> out = new ArrayList<>();
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode vm : agent.getJson("/vms")) {
      String z = vm.path("zonename").asText();
      if (z.startsWith(prefix)) {
        byName.put(z, vm);
      }
    }
    for (Map.Entry<String, Guest> e : truth.entrySet()) {
      JsonNode vm = byName.remove(e.getKey());
      if (vm == null) {
        out.add(e.getKey() + " missing");
        continue;
      }
      Guest g = e.getValue();
      if (!vm.path("uuid").asText().equals(g.uuid())) {
        out.add(e.getKey() + " uuid " + vm.path("uuid"));
      }
      for (Map.Entry<String, String> f : g.fields().entrySet()) {
        if (!vm.path(f.getKey()).asText().equals(f.getValue())) {
          out.add(e.getKey() + " " + f.getKey() + " " + vm.path(f.getKey()));
        }
      }
      Map<String, String> md = new TreeMap<>();
      vm.path("customer_metadata")
          .properties()
          .forEach(x -> md.put(x.getKey(), x.getValue().asText()));
      if (!md.equals(new TreeMap<>(g.customerMetadata()))) {
        out.add(e.getKey() + " customer_metadata " + md + " != " + g.customerMetadata());
      }
      if (!state(vm).equals("stopped")) {
        out.add(e.getKey() + " state " + state(vm));
      }
    }
    byName.keySet().forEach(z -> out.add(z + " should not exist"));
    return out;
  }

  /** {@code /vms} has exactly the domains of {@code virsh list --all}, by name. */
  static void agreesWithVirshList(AgentProcess agent) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              TreeSet<String> virsh = new TreeSet<>(host.listAllNames());
              TreeSet<String> ours = new TreeSet<>();
              for (JsonNode vm : agent.getJson("/vms")) {
                ours.add(vm.path("zonename").asText());
              }
              assertThat(ours).isEqualTo(virsh);
            });
  }

  static JsonNode awaitVm(
      AgentProcess agent, String uuid, java.util.function.Predicate<JsonNode> condition) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              AgentProcess.Response r = agent.get("/vms/" + uuid);
              return r.status() == 200 ? Optional.of(r.json()) : Optional.<JsonNode>empty();
            },
            vm -> vm.isPresent() && condition.test(vm.get()))
        .orElseThrow();
  }

  static String state(JsonNode vm) {
    return vm.path("state").asText();
  }

  /** The VM object says what {@code virsh dominfo} says. */
  static void agreesWithDominfo(JsonNode vm, Map<String, String> info) {
    assertThat(vm.path("uuid").asText()).isEqualTo(info.get("UUID"));
    assertThat(vm.path("zonename").asText()).isEqualTo(info.get("Name"));
    assertThat(vm.path("alias").asText()).isEqualTo(info.get("Name"));
    assertThat(LibvirtTesting.virshState(vm.path("zone_state").asText()))
        .isEqualTo(info.get("State"));
    assertThat(vm.path("vcpus").asLong()).isEqualTo(Long.parseLong(info.get("CPU(s)")));
    assertThat(info.get("Max memory"))
        .isEqualTo(vm.path("max_physical_memory").asLong() * 1024 + " KiB");
    assertThat(vm.path("autoboot").asBoolean()).isEqualTo(info.get("Autostart").equals("enable"));
    String id = info.get("Id");
    if (id.equals("-")) {
      assertThat(vm.path("zoneid").isNull()).isTrue();
    } else {
      assertThat(vm.path("zoneid").asLong()).isEqualTo(Long.parseLong(id));
    }
    assertThat(vm.path("brand").asText()).isEqualTo("qemu");
  }
}
