package io.vminfo.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.agent.testing.AgentHarness;
import io.vminfo.agent.testing.RawFeed;
import io.vminfo.agent.testing.RawHttp;
import io.vminfo.agent.testing.TestVms;
import io.vminfo.core.Change;
import io.vminfo.core.FeedCodec;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.Vm;
import io.vminfo.core.internal.Json;
import io.vminfo.core.testing.FakeVmSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code /events} feed (DESIGN section 4) against a real server: shapes, order, resume. */
class FeedTest {
  @TempDir Path state;

  @Test
  void readyLineHasTheSnapshotDoubleEncodedAndTheListenerId() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(3));
        RawFeed feed = RawFeed.open(h.address(), "")) {
      assertThat(feed.head.header("content-type")).isEqualTo("application/json");
      assertThat(feed.head.header("transfer-encoding")).isEqualTo("chunked");
      JsonNode ready = feed.nextJson();
      assertThat(keys(ready)).containsExactly("type", "date", "uuid", "vms", "rev", "epoch");
      assertThat(ready.get("type").textValue()).isEqualTo("ready");
      assertThat(ready.get("date").textValue())
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(ready.get("uuid").textValue()).matches("[0-9a-f-]{36}");
      assertThat(ready.get("vms").isTextual()).isTrue();
      StringBuilder expected = new StringBuilder("[");
      h.agent
          .store()
          .list()
          .forEach(v -> expected.append(expected.length() > 1 ? "," : "").append(v));
      assertThat(ready.get("vms").textValue()).isEqualTo(expected.append("]").toString());
      assertThat(ready.get("rev").asLong()).isEqualTo(h.agent.store().revision());
      assertThat(ready.get("epoch").textValue()).isEqualTo(h.agent.store().epoch());
      assertThat(feed.head.header("x-vminfo-epoch")).isEqualTo(h.agent.store().epoch());
    }
  }

  @Test
  void createModifyDeleteLinesHaveTheContractShape() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(2));
        RawFeed feed = RawFeed.open(h.address(), "")) {
      long rev0 = feed.nextJson().get("rev").asLong();
      Vm vm = TestVms.vm(100);
      h.apply(vm);
      JsonNode create = feed.nextJson();
      assertThat(keys(create)).containsExactly("type", "date", "zonename", "uuid", "vm", "rev");
      assertThat(create.get("type").textValue()).isEqualTo("create");
      assertThat(create.get("uuid").textValue()).isEqualTo(vm.uuid());
      assertThat(create.get("zonename").textValue()).isEqualTo(vm.zonename().orElseThrow());
      assertThat(Json.string(create.get("vm"))).isEqualTo(vm.toString());
      assertThat(create.get("rev").asLong()).isEqualTo(rev0 + 1);

      // Putting the same VM again is not an event (vminfod: modify only with changes).
      h.source.apply(vm);
      Vm changed =
          vm.with(
              o -> {
                o.put("alias", "renamed");
                o.put("quota", 20);
                ((com.fasterxml.jackson.databind.node.ObjectNode) o.get("nics").get(0))
                    .put("ip", "10.9.9.9");
              });
      h.source.apply(changed);
      JsonNode modify = feed.nextJson();
      assertThat(keys(modify))
          .containsExactly("type", "date", "zonename", "uuid", "vm", "changes", "rev");
      assertThat(modify.get("type").textValue()).isEqualTo("modify");
      assertThat(modify.get("rev").asLong()).isEqualTo(rev0 + 2);
      assertThat(Json.string(modify.get("vm"))).isEqualTo(changed.toString());
      JsonNode changes = modify.get("changes");
      assertThat(Json.string(changes.get(0)))
          .isEqualTo(
              "{\"prettyPath\":\"alias\",\"path\":[\"alias\"],\"action\":\"changed\","
                  + "\"oldValue\":\"vm100\",\"newValue\":\"renamed\"}");
      assertThat(Json.string(changes.get(1)))
          .isEqualTo(
              "{\"prettyPath\":\"quota\",\"path\":[\"quota\"],\"action\":\"changed\","
                  + "\"oldValue\":10,\"newValue\":20}");
      assertThat(Json.string(changes.get(2)))
          .isEqualTo(
              "{\"prettyPath\":\"nics.*.ip\",\"path\":[\"nics\",null,\"ip\"],\"action\":\"changed\","
                  + "\"oldValue\":\"10.0.0.100\",\"newValue\":\"10.9.9.9\","
                  + "\"ident\":\"90:b8:d0:00:00:64\"}");

      h.source.remove(vm.uuid());
      JsonNode delete = feed.nextJson();
      assertThat(keys(delete)).containsExactly("type", "date", "zonename", "uuid", "rev");
      assertThat(delete.get("type").textValue()).isEqualTo("delete");
      assertThat(delete.get("uuid").textValue()).isEqualTo(vm.uuid());
      assertThat(delete.get("rev").asLong()).isEqualTo(rev0 + 3);
    }
  }

  @Test
  void readyPlusEventsHaveNoGapAndNoOverlapUnderConcurrentUpdates() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(20))) {
      ExecutorService pool = Executors.newFixedThreadPool(9);
      try {
        List<Future<Map<String, String>>> subscribers = new ArrayList<>();
        Future<?> writer =
            pool.submit(
                () -> {
                  for (int i = 0; i < 400; i++) {
                    int n = 1 + (i % 25);
                    if (i % 50 == 49) {
                      h.source.remove(TestVms.uuid(n));
                    } else {
                      final int q = i;
                      h.source.apply(TestVms.vm(n).with(o -> o.put("quota", q)));
                    }
                    if (i % 45 == 0 && subscribers.size() < 8) {
                      subscribers.add(pool.submit(() -> follow(h)));
                    }
                  }
                  h.source.apply(TestVms.vm(999)); // the sentinel: last event of the run
                  return null;
                });
        writer.get(60, TimeUnit.SECONDS);
        Map<String, String> truth = new TreeMap<>();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> h.agent.store().get(TestVms.uuid(999)).isPresent());
        h.agent.store().list().forEach(v -> truth.put(v.uuid(), v.toString()));
        assertThat(subscribers).hasSize(8);
        for (Future<Map<String, String>> s : subscribers) {
          assertThat(s.get(60, TimeUnit.SECONDS)).isEqualTo(truth);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** Builds the VM set from ready + events until the sentinel; checks revisions are consecutive. */
  private static Map<String, String> follow(AgentHarness h) throws Exception {
    try (RawFeed feed = RawFeed.open(h.address(), "")) {
      FeedMessage.Ready ready = (FeedMessage.Ready) feed.next();
      Map<String, String> vms = new TreeMap<>();
      ready.vms().forEach(v -> vms.put(v.uuid(), v.toString()));
      long rev = ready.rev().orElseThrow();
      if (vms.containsKey(TestVms.uuid(999))) {
        return vms; // subscribed after the run ended: the snapshot is the final state
      }
      while (true) {
        FeedMessage.Event e = (FeedMessage.Event) feed.next();
        assertThat(e.rev().orElseThrow()).isEqualTo(rev + 1);
        rev++;
        switch (e.type()) {
          case CREATE, MODIFY -> vms.put(e.uuid(), e.vm().orElseThrow().toString());
          case DELETE -> vms.remove(e.uuid());
        }
        if (e.uuid().equals(TestVms.uuid(999))) {
          return vms;
        }
      }
    }
  }

  @Test
  void resumeAfterADisconnectReplaysExactlyTheMissedEvents() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(3))) {
      long rev0;
      String epoch;
      long seen;
      try (RawFeed feed = RawFeed.open(h.address(), "")) {
        JsonNode ready = feed.nextJson();
        rev0 = ready.get("rev").asLong();
        epoch = ready.get("epoch").textValue();
        for (int q = 1; q <= 3; q++) {
          final int quota = q;
          h.apply(TestVms.vm(1).with(o -> o.put("quota", 100 + quota)));
          assertThat(feed.nextJson().get("rev").asLong()).isEqualTo(rev0 + q);
        }
        seen = rev0 + 3;
      }
      for (int q = 4; q <= 7; q++) {
        final int quota = q;
        h.apply(TestVms.vm(2).with(o -> o.put("quota", 100 + quota)));
      }
      await().until(() -> h.agent.store().revision() == rev0 + 7);
      try (RawFeed feed = RawFeed.open(h.address(), "?since=" + seen + "&epoch=" + epoch)) {
        JsonNode resumed = feed.nextJson();
        assertThat(keys(resumed)).containsExactly("type", "date", "uuid", "rev", "epoch");
        assertThat(resumed.get("type").textValue()).isEqualTo("resumed");
        assertThat(resumed.get("rev").asLong()).isEqualTo(seen);
        assertThat(resumed.get("epoch").textValue()).isEqualTo(epoch);
        for (int q = 4; q <= 7; q++) {
          JsonNode e = feed.nextJson();
          assertThat(e.get("rev").asLong()).isEqualTo(rev0 + q);
          assertThat(e.get("vm").get("quota").asInt()).isEqualTo(100 + q);
        }
        h.source.apply(TestVms.vm(3).with(o -> o.put("quota", 555)));
        assertThat(feed.nextJson().get("rev").asLong()).isEqualTo(rev0 + 8);
      }
    }
  }

  @Test
  void resumeThatCannotBeHonouredGetsAReadyWithResync() throws Exception {
    try (AgentHarness h =
        AgentHarness.start(state, TestVms.many(3), b -> b.set("feed.history_events", "5"), null)) {
      String epoch = h.agent.store().epoch();
      long rev0 = h.agent.store().revision();
      for (int q = 1; q <= 10; q++) {
        final int quota = q;
        h.apply(TestVms.vm(1).with(o -> o.put("quota", quota)));
      }
      await().until(() -> h.agent.store().revision() == rev0 + 10);
      for (String query :
          List.of(
              "?since=" + rev0 + "&epoch=" + epoch, // older than the history kept
              "?since=" + (rev0 + 99) + "&epoch=" + epoch, // ahead of the store
              "?since=" + (rev0 + 9) + "&epoch=" + "another-run",
              "?since=" + (rev0 + 9))) { // no epoch: cannot be sure
        try (RawFeed feed = RawFeed.open(h.address(), query)) {
          JsonNode ready = feed.nextJson();
          assertThat(ready.get("type").textValue()).as(query).isEqualTo("ready");
          assertThat(ready.get("resync").booleanValue()).as(query).isTrue();
          assertThat(ready.get("rev").asLong()).isEqualTo(rev0 + 10);
          assertThat(keys(ready))
              .containsExactly("type", "date", "uuid", "vms", "rev", "epoch", "resync");
        }
      }
      // within the history it resumes
      try (RawFeed feed = RawFeed.open(h.address(), "?since=" + (rev0 + 7) + "&epoch=" + epoch)) {
        assertThat(feed.nextJson().get("type").textValue()).isEqualTo("resumed");
        assertThat(feed.nextJson().get("rev").asLong()).isEqualTo(rev0 + 8);
      }
    }
  }

  @Test
  void resumeAfterAnAgentRestartResyncsWithTheNewEpoch() throws Exception {
    FakeVmSource source = new FakeVmSource(TestVms.many(4), io.vminfo.core.HostIdentity.unknown());
    String epoch1;
    long rev1;
    String server1;
    try (AgentHarness h = AgentHarness.start(source, state, b -> {}, null)) {
      h.apply(TestVms.vm(1).with(o -> o.put("quota", 77)));
      epoch1 = h.agent.store().epoch();
      rev1 = h.agent.store().revision();
      server1 = h.agent.serverUuid();
    }
    assertThat(source.isClosed()).isTrue();
    try (AgentHarness h = AgentHarness.start(source, state, b -> {}, null);
        RawFeed feed = RawFeed.open(h.address(), "?since=" + rev1 + "&epoch=" + epoch1)) {
      JsonNode ready = feed.nextJson();
      assertThat(ready.get("type").textValue()).isEqualTo("ready");
      assertThat(ready.get("resync").booleanValue()).isTrue();
      assertThat(ready.get("epoch").textValue()).isNotEqualTo(epoch1);
      assertThat(ready.get("rev").asLong()).isZero();
      assertThat(ready.get("vms").textValue()).contains("\"quota\":77");
      assertThat(h.agent.serverUuid()).isEqualTo(server1); // persisted in the state directory
    }
  }

  @Test
  void uuidAndTypeFiltersApplyToSnapshotAndEvents() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(4))) {
      String u2 = TestVms.uuid(2);
      try (RawFeed onlyTwo = RawFeed.open(h.address(), "?uuid=" + u2.toUpperCase());
          RawFeed modifies = RawFeed.open(h.address(), "?type=modify");
          RawFeed createsAndDeletes = RawFeed.open(h.address(), "?type=create&type=delete")) {
        FeedMessage.Ready r = (FeedMessage.Ready) FeedCodec.parse(onlyTwo.nextLine());
        assertThat(r.vms()).extracting(Vm::uuid).containsExactly(u2);
        assertThat(((FeedMessage.Ready) modifies.next()).vms()).hasSize(4); // types hide no VMs
        createsAndDeletes.next();

        h.apply(TestVms.vm(3).with(o -> o.put("quota", 1))); // modify 3
        h.apply(TestVms.vm(50)); // create 50
        h.apply(TestVms.vm(2).with(o -> o.put("quota", 2))); // modify 2
        h.delete(TestVms.uuid(50)); // delete 50

        FeedMessage.Event e = (FeedMessage.Event) onlyTwo.next();
        assertThat(e.uuid()).isEqualTo(u2);
        assertThat(e.type()).isEqualTo(io.vminfo.core.VmEventType.MODIFY);

        assertThat(((FeedMessage.Event) modifies.next()).uuid()).isEqualTo(TestVms.uuid(3));
        assertThat(((FeedMessage.Event) modifies.next()).uuid()).isEqualTo(u2);

        FeedMessage.Event c = (FeedMessage.Event) createsAndDeletes.next();
        FeedMessage.Event d = (FeedMessage.Event) createsAndDeletes.next();
        assertThat(c.type()).isEqualTo(io.vminfo.core.VmEventType.CREATE);
        assertThat(d.type()).isEqualTo(io.vminfo.core.VmEventType.DELETE);
        assertThat(d.rev().orElseThrow()).isEqualTo(c.rev().orElseThrow() + 2);
      }
    }
  }

  @Test
  void ignoreDropsModifiesThatChangeOnlyTheIgnoredKeys() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(2))) {
      try (RawFeed quiet = RawFeed.open(h.address(), "?ignore=last_modified");
          RawFeed all = RawFeed.open(h.address(), "")) {
        quiet.next();
        all.next();
        h.apply(TestVms.vm(1).with(o -> o.put("last_modified", "2030-01-01T00:00:00.000Z")));
        h.apply(
            TestVms.vm(1)
                .with(o -> o.put("last_modified", "2030-01-01T00:01:00.000Z").put("quota", 7)));
        FeedMessage.Event first = (FeedMessage.Event) all.next();
        assertThat(first.changes()).extracting(Change::prettyPath).containsExactly("last_modified");
        FeedMessage.Event kept = (FeedMessage.Event) quiet.next();
        assertThat(kept.rev().orElseThrow()).isEqualTo(first.rev().orElseThrow() + 1);
        assertThat(kept.changes())
            .extracting(Change::prettyPath)
            .containsExactlyInAnyOrder("last_modified", "quota");
      }
      for (String q : List.of("?ignore=a.b", "?ignore=", "?ignore=" + "k".repeat(65))) {
        assertThat(h.get("/events" + q).status()).as(q).isEqualTo(400);
      }
    }
  }

  @Test
  void badFeedParametersAre400() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(1))) {
      for (String q :
          List.of(
              "?uuid=nope",
              "?type=update",
              "?since=-1",
              "?since=x",
              "?heartbeat=soon",
              "?heartbeat=99999",
              "?epoch=e",
              "?since=1&since=2",
              "?filter=1")) {
        RawHttp.Response r = h.get("/events" + q);
        assertThat(r.status()).as(q).isEqualTo(400);
        assertThat(r.json().get("code").textValue()).isEqualTo("BadRequest");
      }
      assertThat(h.agent.store().subscribers()).isEmpty();
    }
  }

  @Test
  void tooManySubscribersGet503UntilOneLeaves() throws Exception {
    try (AgentHarness h =
        AgentHarness.start(state, TestVms.many(1), b -> b.set("feed.max_subscribers", "2"), null)) {
      RawFeed a = RawFeed.open(h.address(), "");
      RawFeed b = RawFeed.open(h.address(), "");
      a.nextLine();
      b.nextLine();
      RawHttp.Response r = h.get("/events");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.json().get("code").textValue()).isEqualTo("ServiceUnavailable");
      a.close();
      await().until(() -> h.agent.store().subscribers().size() == 1);
      try (RawFeed c = RawFeed.open(h.address(), "")) {
        assertThat(c.nextJson().get("type").textValue()).isEqualTo("ready");
      }
      b.close();
    }
  }

  @Test
  void http10ClientsGetAnUnchunkedStream() throws Exception {
    try (AgentHarness h = AgentHarness.start(state, TestVms.many(1));
        RawHttp c = h.connect()) {
      c.send("GET /events HTTP/1.0\r\n\r\n");
      RawHttp.Response head = c.readHead();
      assertThat(head.statusLine()).startsWith("HTTP/1.0 200");
      assertThat(head.header("transfer-encoding")).isNull();
      assertThat(Json.MAPPER.readTree(c.readLine()).get("type").textValue()).isEqualTo("ready");
      h.source.apply(TestVms.vm(5));
      assertThat(Json.MAPPER.readTree(c.readLine()).get("type").textValue()).isEqualTo("create");
    }
  }

  static List<String> keys(JsonNode node) {
    List<String> out = new ArrayList<>();
    Iterator<String> it = node.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }
}
