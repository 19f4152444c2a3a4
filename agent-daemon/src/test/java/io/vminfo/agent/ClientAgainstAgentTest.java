package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.ChangeAction;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.Vm;
import io.vminfo.core.VmEventType;
import io.vminfo.core.client.AgentStatus;
import io.vminfo.core.client.ChangeExpectation;
import io.vminfo.core.client.ChangePattern;
import io.vminfo.core.client.EventPattern;
import io.vminfo.core.client.EventStream;
import io.vminfo.core.client.EventStreamOptions;
import io.vminfo.core.client.EventWatch;
import io.vminfo.core.client.FeedListener;
import io.vminfo.core.client.VmQuery;
import io.vminfo.core.client.VminfoClient;
import io.vminfo.core.client.VminfoEventsLostException;
import io.vminfo.core.client.VminfoNotFoundException;
import io.vminfo.core.client.VminfoTimeoutException;
import io.vminfo.core.client.WatchOptions;
import io.vminfo.core.testing.FakeVmSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vminfo-core client library against a real agent. */
class ClientAgainstAgentTest {
  @TempDir Path state;

  @Test
  void plainCalls() throws Exception {
    List<Vm> vms = new java.util.ArrayList<>(TestVms.many(4));
    vms.add(TestVms.vm(5, "stopped", "kvm", TestVms.OWNER_A));
    try (AgentHarness h = AgentHarness.start(state, vms);
        VminfoClient c = VminfoClient.builder(h.uri()).build()) {
      c.ping();
      AgentStatus s = c.status();
      assertThat(s.numVms()).hasValue(5);
      assertThat(s.epoch()).contains(h.agent.store().epoch());
      assertThat(s.backend()).contains("fake");
      assertThat(s.state()).contains("running");
      assertThat(c.vms()).extracting(Vm::uuid).hasSize(5).isSorted();
      assertThat(c.vms(VmQuery.all().withState("stopped").withBrand("kvm")))
          .extracting(Vm::uuid)
          .containsExactly(TestVms.uuid(5));
      List<JsonNode> aliases =
          c.vmFields(VmQuery.all().withOwnerUuid(TestVms.OWNER_A), List.of("alias"));
      assertThat(aliases)
          .extracting(j -> j.get("alias").textValue())
          .containsExactly("vm2", "vm4", "vm5");
      assertThat(c.vm(TestVms.uuid(3)))
          .isEqualTo(h.agent.store().get(TestVms.uuid(3)).orElseThrow());
      assertThatThrownBy(() -> c.vm("nope"))
          .isInstanceOf(VminfoNotFoundException.class)
          .hasMessageContaining("VM Not Found: nope");
      assertThat(c.findVm("nope")).isEmpty();
    }
  }

  @Test
  void watchForEventBlocksUntilTheChangeIsReflected() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(3));
        VminfoClient c = VminfoClient.builder(h.uri()).build()) {
      String u = TestVms.uuid(2);
      try (EventWatch<FeedMessage.Event> stopped =
          c.watchForEvent(
              EventPattern.any().uuid(u).vm("state", "stopped"),
              WatchOptions.timeout(Duration.ofSeconds(30)))) {
        h.apply(TestVms.vm(2).with(o -> o.put("quota", 50))); // not it
        h.apply(TestVms.vm(3).with(o -> o.put("state", "stopped"))); // another VM
        h.apply(TestVms.vm(2).with(o -> o.put("state", "stopped")));
        FeedMessage.Event e = stopped.await();
        assertThat(e.uuid()).isEqualTo(u);
        assertThat(e.vm().orElseThrow().state()).contains("stopped");
      }
      try (EventWatch<FeedMessage.Event> never =
          c.watchForEvent(
              EventPattern.any().uuid(u).type(VmEventType.DELETE),
              WatchOptions.timeout(Duration.ofMillis(300)))) {
        assertThatThrownBy(never::await)
            .isInstanceOf(VminfoTimeoutException.class)
            .hasMessageContaining("not seen within 300 ms");
      }
    }
  }

  @Test
  void watchForChangesWaitsForEveryExpectedChange() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(2));
        VminfoClient c = VminfoClient.builder(h.uri()).build()) {
      String u = TestVms.uuid(1);
      EventPattern vm1 = EventPattern.any().uuid(u);
      ChangeExpectation expected =
          ChangeExpectation.allOf(
                  ChangePattern.at("quota").action(ChangeAction.CHANGED).oldValue(10).newValue(20))
              .and(
                  ChangeExpectation.anyOf(
                      ChangePattern.at("alias").newValue("db-1"),
                      ChangePattern.at("alias").newValue("db-2")))
              .and(
                  ChangeExpectation.allOf(
                      ChangePattern.at("nics", null, "ip").action(ChangeAction.CHANGED)));
      try (EventWatch<List<FeedMessage.Event>> w =
          c.watchForChanges(vm1, expected, WatchOptions.timeout(Duration.ofSeconds(30)))) {
        Vm v = TestVms.vm(1).with(o -> o.put("quota", 20));
        h.apply(v);
        Vm v2 = v.with(o -> o.put("alias", "db-2"));
        h.apply(v2);
        assertThat(w.isDone()).isFalse();
        h.apply(
            v2.with(
                o ->
                    ((com.fasterxml.jackson.databind.node.ObjectNode) o.get("nics").get(0))
                        .put("ip", "10.1.1.1")));
        List<FeedMessage.Event> events = w.await();
        assertThat(events).hasSize(3);
      }
      // vminfod: an empty change list is satisfied at once
      try (EventWatch<List<FeedMessage.Event>> none =
          c.watchForChanges(
              vm1, new ChangeExpectation(List.of()), WatchOptions.timeout(Duration.ofSeconds(1)))) {
        assertThat(none.await()).isEmpty();
      }
    }
  }

  @Test
  void theStreamResumesAfterBeingCutOffAndMissesNothing() throws Exception {
    try (AgentHarness h =
            AgentHarness.start(
                state, TestVms.many(5), b -> b.set("feed.subscriber_buffer_events", "5"), null);
        VminfoClient c = VminfoClient.builder(h.uri()).build()) {
      Map<String, String> mirror = new TreeMap<>();
      AtomicLong lastRev = new AtomicLong(-1);
      List<String> problems = new CopyOnWriteArrayList<>();
      AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
      List<String> kinds = new CopyOnWriteArrayList<>();
      FeedListener listener =
          new FeedListener() {
            @Override
            public void onReady(FeedMessage.Ready ready) {
              kinds.add(ready.resync() ? "resync" : "ready");
              synchronized (mirror) {
                mirror.clear();
                ready.vms().forEach(v -> mirror.put(v.uuid(), v.toString()));
              }
              lastRev.set(ready.rev().orElseThrow());
            }

            @Override
            public void onResumed(FeedMessage.Resumed resumed) {
              kinds.add("resumed");
              if (resumed.rev().orElseThrow() != lastRev.get()) {
                problems.add("resumed at " + resumed.rev() + " after " + lastRev);
              }
            }

            @Override
            public void onEvent(FeedMessage.Event e) {
              try {
                gate.get().await(30, TimeUnit.SECONDS); // a slow consumer while the gate is shut
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
              }
              if (e.rev().orElseThrow() != lastRev.get() + 1) {
                problems.add("event " + e.rev() + " after " + lastRev);
              }
              lastRev.set(e.rev().orElseThrow());
              synchronized (mirror) {
                if (e.type() == VmEventType.DELETE) {
                  mirror.remove(e.uuid());
                } else {
                  mirror.put(e.uuid(), e.vm().orElseThrow().toString());
                }
              }
            }
          };
      try (EventStream s =
          c.events(
              EventStreamOptions.defaults()
                  .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50)),
              listener)) {
        assertThat(s.awaitStarted(Duration.ofSeconds(10))).isTrue();
        CountDownLatch shut = new CountDownLatch(1);
        gate.set(shut);
        String big = "y".repeat(64 * 1024);
        for (int i = 0; i < 120; i++) {
          final int q = i;
          h.apply(
              TestVms.vm(1 + i % 5)
                  .with(
                      o -> {
                        o.put("quota", 1000 + q);
                        o.put("note", big);
                      }));
        }
        await().until(() -> h.agent.store().stats().subscribersCutOff() >= 1);
        shut.countDown();
        long target = h.agent.store().revision();
        await().atMost(Duration.ofSeconds(30)).until(() -> lastRev.get() == target);
        assertThat(problems).isEmpty();
        // The backlog after a cut-off is larger than the subscriber buffer, so the store answers
        // the resume with a fresh snapshot (resync); either way nothing is lost or repeated.
        assertThat(kinds).startsWith("ready").hasSizeGreaterThan(1);
        Map<String, String> truth = new TreeMap<>();
        h.agent.store().list().forEach(v -> truth.put(v.uuid(), v.toString()));
        synchronized (mirror) {
          assertThat(mirror).isEqualTo(truth);
        }
      }
    }
  }

  @Test
  void theStreamResumesAcrossANetworkFailureWithExactlyTheMissedEvents() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(3));
        io.vminfo.core.testing.TcpProxy proxy = new io.vminfo.core.testing.TcpProxy(h.address());
        VminfoClient c = VminfoClient.builder(proxy.uri()).build()) {
      List<String> seen = new CopyOnWriteArrayList<>();
      EventStream s =
          c.events(
              EventStreamOptions.defaults()
                  .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50)),
              new FeedListener() {
                @Override
                public void onReady(FeedMessage.Ready ready) {
                  seen.add("ready " + ready.rev().orElseThrow());
                }

                @Override
                public void onResumed(FeedMessage.Resumed resumed) {
                  seen.add("resumed " + resumed.rev().orElseThrow());
                }

                @Override
                public void onEvent(FeedMessage.Event e) {
                  seen.add("event " + e.rev().orElseThrow());
                }

                @Override
                public void onDisconnected(Throwable cause, Duration reconnectIn) {
                  if (!seen.get(seen.size() - 1).equals("disconnected")) {
                    seen.add("disconnected");
                  }
                }
              });
      assertThat(s.awaitStarted(Duration.ofSeconds(10))).isTrue();
      h.apply(TestVms.vm(1).with(o -> o.put("quota", 1)));
      await().until(() -> seen.contains("event 1"));
      proxy.dropAll(true);
      await().until(() -> seen.contains("disconnected"));
      for (int q = 2; q <= 4; q++) {
        final int quota = q;
        h.apply(TestVms.vm(1).with(o -> o.put("quota", quota)));
      }
      proxy.allow();
      await().until(() -> seen.contains("event 4"));
      assertThat(seen)
          .containsExactly(
              "ready 0", "event 1", "disconnected", "resumed 1", "event 2", "event 3", "event 4");
      assertThat(s.resumePoint().orElseThrow().rev()).isEqualTo(4);
      s.close();
    }
  }

  @Test
  void afterAnAgentRestartTheStreamResyncsAndAWatchReportsLostEvents() throws Exception {
    FakeVmSource source = new FakeVmSource(TestVms.many(2), io.vminfo.core.HostIdentity.unknown());
    AgentHarness first = AgentHarness.start(source, state, b -> {}, null);
    int port = first.address().getPort();
    List<String> kinds = new CopyOnWriteArrayList<>();
    try (VminfoClient c = VminfoClient.builder(first.uri()).build()) {
      EventStream s =
          c.events(
              EventStreamOptions.defaults()
                  .withBackoff(Duration.ofMillis(10), Duration.ofMillis(100)),
              new FeedListener() {
                @Override
                public void onReady(FeedMessage.Ready ready) {
                  kinds.add((ready.resync() ? "resync " : "ready ") + ready.epoch().orElseThrow());
                }

                @Override
                public void onEvent(FeedMessage.Event event) {
                  kinds.add("event");
                }
              });
      EventWatch<FeedMessage.Event> watch =
          c.watchForEvent(
              EventPattern.any().type(VmEventType.CREATE),
              WatchOptions.timeout(Duration.ofSeconds(30)));
      assertThat(s.awaitStarted(Duration.ofSeconds(10))).isTrue();
      String epoch1 = first.agent.store().epoch();
      first.close();
      try (AgentHarness second =
          AgentHarness.start(
              source, state, b -> b.set("listen.port", Integer.toString(port)), null)) {
        String epoch2 = second.agent.store().epoch();
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds.contains("resync " + epoch2));
        assertThat(kinds.get(0)).isEqualTo("ready " + epoch1);
        assertThatThrownBy(watch::await).isInstanceOf(VminfoEventsLostException.class);
        second.apply(TestVms.vm(9));
        await().until(() -> kinds.contains("event"));
      }
      s.close();
      watch.close();
    }
  }
}
