package io.vminfo.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.TestVms;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VmStoreTest {
  private final ManualClock clock = ManualClock.at("2026-11-22T10:00:00Z");
  private final VmStore store = VmStore.builder().clock(clock).epoch("e1").build();

  @Test
  void revisionGrowsByOnePerEventAndNotOtherwise() {
    Vm a = TestVms.vm(1);
    VmEvent create = store.put(a).orElseThrow();
    assertThat(create.type()).isEqualTo(VmEventType.CREATE);
    assertThat(create.rev()).isEqualTo(1);
    assertThat(store.put(a)).as("same VM again").isEmpty();
    VmEvent modify = store.put(a.with(o -> o.put("alias", "renamed"))).orElseThrow();
    assertThat(modify.type()).isEqualTo(VmEventType.MODIFY);
    assertThat(modify.rev()).isEqualTo(2);
    assertThat(modify.changes()).extracting(Change::prettyPath).containsExactly("alias");
    assertThat(store.remove(TestVms.uuid(99))).isEmpty();
    VmEvent delete = store.remove(a.uuid()).orElseThrow();
    assertThat(delete.rev()).isEqualTo(3);
    assertThat(delete.vm()).isEmpty();
    assertThat(delete.zonename()).contains(a.uuid());
    assertThat(store.revision()).isEqualTo(3);
    assertThat(store.stats().creates()).isEqualTo(1);
  }

  @Test
  void reorderingArraysOrKeysIsNotAnEventButTheStoreKeepsTheNewBytes() {
    Vm a = TestVms.vm(1).with(o -> o.putArray("resolvers").add("1.1.1.1").add("8.8.8.8"));
    store.put(a);
    Vm reordered = a.with(o -> o.putArray("resolvers").add("8.8.8.8").add("1.1.1.1"));
    assertThat(store.put(reordered)).isEmpty();
    assertThat(store.get(a.uuid())).contains(reordered);
    assertThat(store.revision()).isEqualTo(1);
  }

  @Test
  void findsByUuidOrZonenameAndFollowsRenames() {
    Vm a = TestVms.vm(1).with(o -> o.put("zonename", "web"));
    store.put(a);
    assertThat(store.find("web")).contains(a);
    assertThat(store.find(a.uuid())).contains(a);
    store.put(a.with(o -> o.put("zonename", "web2")));
    assertThat(store.getByZonename("web")).isEmpty();
    assertThat(store.getByZonename("web2")).isPresent();
    store.remove(a.uuid());
    assertThat(store.getByZonename("web2")).isEmpty();
  }

  @Test
  void initializeLoadsWithoutEventsOnce() {
    store.initialize(List.of(TestVms.vm(1), TestVms.vm(2)));
    assertThat(store.isReady()).isTrue();
    assertThat(store.revision()).isZero();
    assertThat(store.list()).hasSize(2);
    assertThatThrownBy(() -> store.initialize(List.of())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void snapshotThenEventsWithNoGapOrOverlap() {
    store.put(TestVms.vm(1));
    Subscription sub = store.subscribe(SubscribeRequest.all());
    store.put(TestVms.vm(2));
    SubscriptionStart.Snapshot start = (SubscriptionStart.Snapshot) sub.start();
    assertThat(start.rev()).isEqualTo(1);
    assertThat(start.vms()).extracting(Vm::uuid).containsExactly(TestVms.uuid(1));
    assertThat(start.resync()).isFalse();
    assertThat(sub.poll()).get().extracting(VmEvent::rev).isEqualTo(2L);
    assertThat(sub.poll()).isEmpty();
  }

  @Test
  void resumeReplaysHistoryAfterSince() {
    for (int i = 1; i <= 5; i++) {
      store.put(TestVms.vm(i));
    }
    Subscription sub = store.subscribe(SubscribeRequest.all().resumingAfter(3, "e1"));
    assertThat(sub.start()).isEqualTo(new SubscriptionStart.Resumed(3));
    assertThat(sub.drain(10)).extracting(VmEvent::rev).containsExactly(4L, 5L);
    Subscription upToDate = store.subscribe(SubscribeRequest.all().resumingAfter(5, "e1"));
    assertThat(upToDate.start()).isInstanceOf(SubscriptionStart.Resumed.class);
    assertThat(upToDate.queuedEvents()).isZero();
  }

  @Test
  void resumeThatCannotBeHonouredIsAResyncSnapshot() {
    VmStore small = VmStore.builder().clock(clock).epoch("e1").history(2, 1 << 20).build();
    for (int i = 1; i <= 5; i++) {
      small.put(TestVms.vm(i));
    }
    assertResync(small.subscribe(SubscribeRequest.all().resumingAfter(1, "e1")), "older");
    assertResync(small.subscribe(SubscribeRequest.all().resumingAfter(4, "other")), "epoch");
    assertResync(small.subscribe(SubscribeRequest.all().resumingAfter(9, "e1")), "ahead");
    assertResync(
        small.subscribe(
            new SubscribeRequest(
                Set.of(), Set.of(), java.util.OptionalLong.of(4), java.util.Optional.empty(), "")),
        "epoch");
    Subscription ok = small.subscribe(SubscribeRequest.all().resumingAfter(3, "e1"));
    assertThat(ok.drain(10)).extracting(VmEvent::rev).containsExactly(4L, 5L);
  }

  private static void assertResync(Subscription sub, String reasonPart) {
    assertThat(sub.start())
        .isInstanceOfSatisfying(
            SubscriptionStart.Snapshot.class,
            s -> {
              assertThat(s.resync()).isTrue();
              assertThat(s.resyncReason().orElseThrow()).contains(reasonPart);
              assertThat(s.vms()).hasSize(5);
              assertThat(s.rev()).isEqualTo(5);
            });
    assertThat(sub.queuedEvents()).isZero();
  }

  @Test
  void aBacklogLargerThanTheBufferIsReplayedFromHistoryAsTheSubscriberReads() {
    VmStore small = VmStore.builder().clock(clock).epoch("e1").subscriberBuffer(4, 1 << 20).build();
    for (int i = 1; i <= 50; i++) {
      small.put(TestVms.vm(i));
    }
    Subscription sub = small.subscribe(SubscribeRequest.all().resumingAfter(3, "e1"));
    assertThat(sub.start()).isEqualTo(new SubscriptionStart.Resumed(3));
    assertThat(sub.queuedEvents()).as("only a batch is queued").isLessThanOrEqualTo(2);
    List<Long> revs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      revs.add(sub.poll().orElseThrow().rev());
    }
    small.put(TestVms.vm(51));
    small.put(TestVms.vm(52));
    sub.drain(1000).forEach(e -> revs.add(e.rev()));
    small.put(TestVms.vm(53));
    sub.drain(1000).forEach(e -> revs.add(e.rev()));
    assertThat(revs)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(4, 53).boxed().toList());
    assertThat(sub.state()).isEqualTo(Subscription.State.OPEN);
  }

  @Test
  void aSubscriberCutOffForFallingBehindResumesWithoutASnapshot() {
    VmStore bounded =
        VmStore.builder().clock(clock).epoch("e1").subscriberBuffer(3, 1 << 20).build();
    Subscription slow = bounded.subscribe(SubscribeRequest.all());
    for (int i = 1; i <= 20; i++) {
      bounded.put(TestVms.vm(i));
    }
    assertThat(slow.state()).isEqualTo(Subscription.State.CUT_OFF);
    Subscription again = bounded.subscribe(SubscribeRequest.all().resumingAfter(0, "e1"));
    assertThat(again.start()).isInstanceOf(SubscriptionStart.Resumed.class);
    assertThat(again.drain(100)).extracting(VmEvent::rev).hasSize(20).startsWith(1L).endsWith(20L);
  }

  @Test
  void aCatchingUpSubscriberThatFallsOutOfTheHistoryIsCutOff() {
    VmStore small =
        VmStore.builder()
            .clock(clock)
            .epoch("e1")
            .history(10, 1 << 20)
            .subscriberBuffer(2, 1 << 20)
            .build();
    for (int i = 1; i <= 8; i++) {
      small.put(TestVms.vm(i));
    }
    Subscription sub = small.subscribe(SubscribeRequest.all().resumingAfter(0, "e1"));
    assertThat(sub.poll().orElseThrow().rev()).isEqualTo(1);
    for (int i = 9; i <= 30; i++) {
      small.put(TestVms.vm(i));
    }
    assertThat(sub.drain(100)).isEmpty();
    assertThat(sub.state()).isEqualTo(Subscription.State.CUT_OFF);
    assertThat(sub.endReason().orElseThrow()).contains("history");
    assertThat(small.stats().subscribersCutOff()).isEqualTo(1);
  }

  @Test
  void aFilteredCatchUpSkipsNonMatchingEvents() {
    VmStore small =
        VmStore.builder()
            .clock(clock)
            .epoch("e1")
            .subscriberBuffer(2, 1 << 20)
            .history(30_000, 1L << 30)
            .build();
    for (int i = 1; i <= 10_000; i++) {
      small.put(TestVms.vm(i % 5 == 0 ? 1 : i).with(o -> o.put("cpu_cap", 1)));
      small.put(TestVms.vm(1));
    }
    Subscription sub =
        small.subscribe(
            SubscribeRequest.all().withUuids(Set.of(TestVms.uuid(7))).resumingAfter(0, "e1"));
    assertThat(sub.drain(100)).extracting(VmEvent::uuid).containsOnly(TestVms.uuid(7)).hasSize(1);
  }

  @Test
  void filtersByUuidAndType() {
    store.put(TestVms.vm(1));
    store.put(TestVms.vm(2));
    Subscription sub =
        store.subscribe(
            SubscribeRequest.all()
                .withUuids(Set.of(TestVms.uuid(1)))
                .withTypes(Set.of(VmEventType.MODIFY)));
    assertThat(((SubscriptionStart.Snapshot) sub.start()).vms())
        .extracting(Vm::uuid)
        .containsExactly(TestVms.uuid(1));
    store.put(TestVms.vm(1).with(o -> o.put("alias", "x")));
    store.put(TestVms.vm(2).with(o -> o.put("alias", "y")));
    store.remove(TestVms.uuid(1));
    store.put(TestVms.vm(3));
    assertThat(sub.drain(10)).extracting(VmEvent::rev).containsExactly(3L);
  }

  @Test
  void ignoredKeysDropModifiesThatChangeNothingElse() {
    store.put(TestVms.vm(1).with(o -> o.put("last_modified", "2026-01-01T00:00:00.000Z")));
    Subscription all = store.subscribe(SubscribeRequest.all());
    Subscription quiet =
        store.subscribe(SubscribeRequest.all().ignoringChangesTo(Set.of("last_modified")));
    all.start();
    quiet.start();
    // rev 2: only last_modified; rev 3: last_modified and alias; rev 4: a nested change only.
    store.put(TestVms.vm(1).with(o -> o.put("last_modified", "2026-01-01T00:01:00.000Z")));
    store.put(
        TestVms.vm(1)
            .with(o -> o.put("last_modified", "2026-01-01T00:02:00.000Z").put("alias", "web")));
    store.put(
        TestVms.vm(1)
            .with(
                o ->
                    o.put("last_modified", "2026-01-01T00:02:00.000Z")
                        .put("alias", "web")
                        .putObject("customer_metadata")
                        .put("last_modified", "x")));
    store.remove(TestVms.uuid(1));
    assertThat(all.drain(10)).extracting(VmEvent::rev).containsExactly(2L, 3L, 4L, 5L);
    List<VmEvent> got = quiet.drain(10);
    assertThat(got).extracting(VmEvent::rev).containsExactly(3L, 4L, 5L);
    assertThat(got.get(0).changes())
        .extracting(Change::prettyPath)
        .as("a modify that changes more is sent whole")
        .contains("last_modified", "alias");
    assertThatThrownBy(() -> SubscribeRequest.all().ignoringChangesTo(Set.of("")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSubscriberThatStopsReadingIsCutOffAndOthersContinue() {
    VmStore bounded =
        VmStore.builder().clock(clock).epoch("e1").subscriberBuffer(3, 1 << 20).build();
    Subscription slow = bounded.subscribe(SubscribeRequest.all().describedAs("slow"));
    Subscription fast = bounded.subscribe(SubscribeRequest.all());
    AtomicInteger notified = new AtomicInteger();
    slow.onAvailable(notified::incrementAndGet);
    List<Long> fastSaw = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      bounded.put(TestVms.vm(i));
      fast.drain(100).forEach(e -> fastSaw.add(e.rev()));
    }
    assertThat(slow.state()).isEqualTo(Subscription.State.CUT_OFF);
    assertThat(slow.endReason().orElseThrow()).contains("fell behind").contains("since=0");
    assertThat(slow.poll()).isEmpty();
    assertThat(slow.queuedBytes()).isZero();
    assertThat(notified.get()).as("told when events arrived, and when cut off").isEqualTo(2);
    assertThat(fastSaw).hasSize(10);
    assertThat(bounded.subscribers()).hasSize(1);
    assertThat(bounded.stats().subscribersCutOff()).isEqualTo(1);
    assertThat(bounded.revision()).isEqualTo(10);
  }

  @Test
  void theByteBoundCutsOffToo() {
    Vm big = TestVms.vm(1);
    VmStore bounded =
        VmStore.builder()
            .clock(clock)
            .epoch("e1")
            .subscriberBuffer(1000, big.serializedSize() * 2L)
            .build();
    Subscription slow = bounded.subscribe(SubscribeRequest.all());
    bounded.put(TestVms.vm(1));
    assertThat(slow.state()).isEqualTo(Subscription.State.OPEN);
    bounded.put(TestVms.vm(2));
    bounded.put(TestVms.vm(3));
    assertThat(slow.state()).isEqualTo(Subscription.State.CUT_OFF);
  }

  @Test
  void blockingPollWaitsForAnEventOrTimesOut() throws Exception {
    Subscription sub = store.subscribe(SubscribeRequest.all());
    assertThat(sub.poll(Duration.ofMillis(1))).isEmpty();
    Thread writer = new Thread(() -> store.put(TestVms.vm(1)), "test-writer");
    writer.start();
    assertThat(sub.poll(Duration.ofSeconds(30))).isPresent();
    writer.join(30_000);
    sub.close();
    assertThat(sub.state()).isEqualTo(Subscription.State.CLOSED);
    assertThat(sub.poll(Duration.ofSeconds(30))).as("closed: returns at once").isEmpty();
  }

  @Test
  void historyIsBoundedByCount() {
    VmStore small = VmStore.builder().clock(clock).epoch("e1").history(3, 1 << 20).build();
    for (int i = 1; i <= 10; i++) {
      small.put(TestVms.vm(i));
    }
    VmStore.Stats stats = small.stats();
    assertThat(stats.historyEvents()).isEqualTo(3);
    assertThat(stats.oldestHistoryRev()).isEqualTo(8);
  }

  @Test
  void reconcileCorrectsToTheTruthAndKeepsVmsWithLoadErrors() {
    store.put(TestVms.vm(1));
    store.put(TestVms.vm(2));
    store.put(TestVms.vm(3));
    List<VmEvent> events =
        store.reconcile(
            List.of(
                TestVms.vm(1), TestVms.vm(2).with(o -> o.put("state", "stopped")), TestVms.vm(4)),
            vm -> vm.uuid().equals(TestVms.uuid(3)));
    assertThat(events)
        .extracting(VmEvent::type)
        .containsExactly(VmEventType.MODIFY, VmEventType.CREATE);
    events = store.reconcile(List.of(TestVms.vm(1)), vm -> false);
    assertThat(events).extracting(VmEvent::type).containsOnly(VmEventType.DELETE).hasSize(3);
    assertThat(store.list()).extracting(Vm::uuid).containsExactly(TestVms.uuid(1));
  }

  @Test
  void listenersSeeEveryEventAndAFailingListenerHarmsNothing() throws Exception {
    List<Long> seen = new ArrayList<>();
    AutoCloseable handle = store.addListener(e -> seen.add(e.rev()));
    store.addListener(
        e -> {
          throw new IllegalStateException("boom");
        });
    store.put(TestVms.vm(1));
    store.put(TestVms.vm(2));
    handle.close();
    store.put(TestVms.vm(3));
    assertThat(seen).containsExactly(1L, 2L);
    assertThat(store.revision()).isEqualTo(3);
  }

  @Test
  void closeEndsSubscriptionsAndRefusesWrites() {
    Subscription sub = store.subscribe(SubscribeRequest.all());
    store.close();
    assertThat(sub.state()).isEqualTo(Subscription.State.CLOSED);
    assertThat(sub.endReason()).contains("the store is closing");
    assertThatThrownBy(() -> store.put(TestVms.vm(1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void eventLinesAreTheContractShape() {
    VmEvent e = store.put(TestVms.vm(1)).orElseThrow();
    String line = new String(e.line(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(line)
        .startsWith(
            "{\"type\":\"create\",\"date\":\"2026-11-22T10:00:00.000Z\",\"zonename\":\""
                + TestVms.uuid(1)
                + "\",\"uuid\":\""
                + TestVms.uuid(1)
                + "\",\"vm\":{\"uuid\":")
        .endsWith(",\"rev\":1}\n");
    VmEvent d = store.remove(TestVms.uuid(1)).orElseThrow();
    assertThat(d.toString())
        .isEqualTo(
            "{\"type\":\"delete\",\"date\":\"2026-11-22T10:00:00.000Z\",\"zonename\":\""
                + TestVms.uuid(1)
                + "\",\"uuid\":\""
                + TestVms.uuid(1)
                + "\",\"rev\":2}");
  }
}
