package io.vminfo.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.core.VmStore;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.usage.testing.TestVms;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmTrackerTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private final ManualClock clock = ManualClock.at("2026-11-22T10:00:30Z");
  private final VmStore store = VmStore.builder().clock(clock).build();

  private static List<String> uuids(List<VmTracker.Tracked> t) {
    return t.stream().map(x -> x.vm().uuid()).toList();
  }

  @Test
  void aVmCreatedAndDestroyedInsideAnIntervalIsInThatSampleOnly() {
    store.initialize(List.of(TestVms.vm(1)));
    VmTracker tracker = new VmTracker();
    tracker.start(store, clock.instant());
    clock.set(Instant.parse("2026-11-22T10:00:40Z"));
    store.put(TestVms.vm(2));
    clock.set(Instant.parse("2026-11-22T10:00:50Z"));
    store.remove(TestVms.uuid(2));
    Instant b1 = Instant.parse("2026-11-22T10:01:00Z");
    assertThat(uuids(tracker.select(b1, MINUTE))).containsExactly(TestVms.uuid(1), TestVms.uuid(2));
    tracker.forgetBefore(b1);
    assertThat(uuids(tracker.select(b1.plus(MINUTE), MINUTE))).containsExactly(TestVms.uuid(1));
    assertThat(tracker.size()).isEqualTo(1);
  }

  @Test
  void aLateSampleStillGoesByWhenVmsCameAndWent() {
    store.initialize(List.of(TestVms.vm(1)));
    VmTracker tracker = new VmTracker();
    tracker.start(store, clock.instant());
    Instant b1 = Instant.parse("2026-11-22T10:01:00Z");
    // The sample of 10:01 runs late, at 10:01:20: VM 1 was deleted at 10:01:05, VM 3 created at
    // 10:01:10.
    clock.set(b1.plusSeconds(5));
    store.remove(TestVms.uuid(1));
    clock.set(b1.plusSeconds(10));
    store.put(TestVms.vm(3));
    assertThat(uuids(tracker.select(b1, MINUTE))).containsExactly(TestVms.uuid(1));
    tracker.forgetBefore(b1);
    assertThat(uuids(tracker.select(b1.plus(MINUTE), MINUTE)))
        .containsExactly(TestVms.uuid(1), TestVms.uuid(3));
    tracker.forgetBefore(b1.plus(MINUTE));
    assertThat(uuids(tracker.select(b1.plus(MINUTE).plus(MINUTE), MINUTE)))
        .containsExactly(TestVms.uuid(3));
  }

  @Test
  void modificationsAreSeenAndInitialVmsCountFromTheirCreateTimestamp() {
    store.initialize(
        List.of(
            TestVms.vm(1).with(n -> n.put("create_timestamp", "2026-11-22T10:00:10.000Z")),
            TestVms.vm(2).with(n -> n.put("create_timestamp", "2999-01-01T00:00:00.000Z"))));
    VmTracker tracker = new VmTracker();
    tracker.start(store, clock.instant());
    assertThat(uuids(tracker.select(Instant.parse("2026-11-22T10:00:00Z"), MINUTE)))
        .containsExactly(TestVms.uuid(2)); // a future create_timestamp is not believed
    store.put(TestVms.vm(1).with(n -> n.put("state", "stopped")));
    List<VmTracker.Tracked> t = tracker.select(Instant.parse("2026-11-22T10:01:00Z"), MINUTE);
    assertThat(uuids(t)).containsExactly(TestVms.uuid(1), TestVms.uuid(2));
    assertThat(t.get(0).vm().state()).contains("stopped");
    tracker.close();
    store.remove(TestVms.uuid(1));
    assertThat(tracker.select(Instant.parse("2026-11-22T10:05:00Z"), MINUTE)).hasSize(2);
  }

  @Test
  void startsAndStopsOfRunsAreReported() {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    VmTracker tracker =
        new VmTracker(
            vm -> seen.add("start " + vm.pid().orElse(-1)),
            vm -> seen.add("stop " + vm.pid().orElse(-1)));
    tracker.start(store, clock.instant());
    io.vminfo.core.Vm running = TestVms.vm(1).toBuilder().put("pid", 10).build();
    store.put(running); // created running
    store.put(running.toBuilder().put("alias", "renamed").build()); // same run: nothing
    io.vminfo.core.Vm withTap =
        running.with(
            n ->
                ((com.fasterxml.jackson.databind.node.ObjectNode) n.withArray("nics").get(0))
                    .put("interface", "vnet7"));
    store.put(withTap); // the same run's tap appeared: read again
    store.put(withTap.toBuilder().put("alias", "again").build()); // nothing
    store.put(running.toBuilder().put("pid", 11).build()); // another process: stop, then start
    store.put(running.toBuilder().put("pid", 11).put("state", "stopped").build());
    store.put(running.toBuilder().put("pid", 12).build()); // started again
    store.remove(running.uuid()); // deleted while running
    assertThat(seen)
        .containsExactly(
            "start 10", "start 10", "stop 10", "start 11", "stop 11", "start 12", "stop 12");
  }
}
