package io.vminfo.alarms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vminfo.core.Vm;
import io.vminfo.core.VmStore;
import io.vminfo.core.testing.ManualClock;
import io.vminfo.core.testing.ManualScheduler;
import io.vminfo.core.testing.TestVms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlarmServiceTest {
  @TempDir Path dir;
  private final ManualClock clock = ManualClock.at("2026-12-07T10:00:00Z");
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final RecordingNotifier notifier = new RecordingNotifier();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Vm vm = TestVms.vm(1);

  /** Stands in for a receiver: records notices, refuses while {@code down}. */
  static final class RecordingNotifier implements Notifier {
    final List<AlarmNotice> received = new ArrayList<>();
    boolean down;

    @Override
    public String name() {
      return "test";
    }

    @Override
    public void deliver(AlarmNotice notice) throws IOException {
      if (down) {
        throw new IOException("receiver down");
      }
      received.add(notice);
    }
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private VmStore store() {
    VmStore s = VmStore.builder().clock(clock).build();
    s.initialize(List.of(vm));
    closeables.add(s);
    return s;
  }

  private AlarmService service(VmStore store, RecordingNotifier n) throws IOException {
    AlarmService svc =
        AlarmService.builder(AlarmsConfig.defaults(dir).withRebootTimeout(Duration.ofMinutes(2)))
            .clock(clock)
            .scheduler(scheduler)
            .jitter(() -> 1.0)
            .notifier(n)
            .build();
    closeables.add(0, svc);
    svc.start(store);
    scheduler.runDue();
    return svc;
  }

  private static Vm state(Vm vm, String state) {
    return vm.with(o -> o.put("state", state));
  }

  private void step(Duration d) {
    scheduler.advance(d);
    scheduler.runDue();
  }

  @Test
  void unexpectedStopThroughTheFeedNotifiesOpenOnceAndClearOnce() throws Exception {
    VmStore store = store();
    AlarmService svc = service(store, notifier);
    store.put(state(vm, "stopped"));
    step(Duration.ofSeconds(1));
    store.put(state(vm, "stopped").with(o -> o.put("alias", "renamed")));
    step(Duration.ofSeconds(1));
    assertThat(svc.openAlarms())
        .singleElement()
        .satisfies(a -> assertThat(a.rule()).isEqualTo(Rule.UNEXPECTED_STOP));
    assertThat(notifier.received)
        .extracting(AlarmNotice::kind)
        .containsExactly(AlarmNotice.Kind.OPENED);
    store.put(state(vm, "running"));
    step(Duration.ofSeconds(1));
    assertThat(notifier.received)
        .extracting(AlarmNotice::kind)
        .containsExactly(AlarmNotice.Kind.OPENED, AlarmNotice.Kind.CLEARED);
    assertThat(svc.status().openAlarms()).isZero();
    assertThat(svc.status().pendingNotices()).isZero();
  }

  @Test
  void requestedStopThroughTheActionInterfaceOpensNothing() throws Exception {
    VmStore store = store();
    AlarmService svc = service(store, notifier);
    svc.actionRequested(vm.uuid(), "stop", "uid:0");
    store.put(state(vm, "stopped"));
    step(Duration.ofSeconds(1));
    svc.actionFinished(vm.uuid(), "stop", true);
    step(Duration.ofSeconds(1));
    assertThat(svc.openAlarms()).isEmpty();
    assertThat(notifier.received).isEmpty();
  }

  @Test
  void requestedRebootThatNeverReturnsOpensRebootTimeout() throws Exception {
    VmStore store = store();
    AlarmService svc = service(store, notifier);
    svc.actionRequested(vm.uuid(), "reboot", "uid:0");
    store.put(state(vm, "stopped"));
    step(Duration.ofSeconds(1));
    svc.actionFinished(vm.uuid(), "reboot", false);
    step(Duration.ofSeconds(60));
    assertThat(svc.openAlarms()).isEmpty();
    step(Duration.ofSeconds(60));
    assertThat(svc.openAlarms())
        .singleElement()
        .satisfies(a -> assertThat(a.rule()).isEqualTo(Rule.REBOOT_TIMEOUT));
    assertThat(notifier.received).hasSize(1);
  }

  @Test
  void openAlarmAndSuppressionSurviveARestartWithoutANewNotice() throws Exception {
    VmStore store = store();
    AlarmService svc = service(store, notifier);
    Suppression s =
        svc.suppress(
            new SuppressionRequest(Set.of("other"), Set.of(), Optional.empty(), "maintenance"));
    store.put(state(vm, "stopped"));
    step(Duration.ofSeconds(1));
    assertThat(notifier.received).hasSize(1);
    svc.close();

    RecordingNotifier after = new RecordingNotifier();
    AlarmService again = service(store, after);
    step(Duration.ofSeconds(1));
    assertThat(again.openAlarms())
        .singleElement()
        .satisfies(a -> assertThat(a.id()).isEqualTo(notifier.received.get(0).alarm().id()));
    assertThat(again.suppressions()).extracting(Suppression::id).containsExactly(s.id());
    assertThat(after.received).isEmpty();
    assertThat(again.lift(s.id())).isTrue();
    assertThat(again.lift(s.id())).isFalse();
  }

  @Test
  void aVmThatStoppedWhileTheServiceWasDownIsSeenAtStart() throws Exception {
    VmStore store = store();
    service(store, notifier).close();
    VmStore store2 = VmStore.builder().clock(clock).build();
    store2.initialize(List.of(state(vm, "stopped")));
    closeables.add(store2);
    service(store2, notifier);
    step(Duration.ofSeconds(1));
    assertThat(notifier.received)
        .singleElement()
        .satisfies(n -> assertThat(n.alarm().rule()).isEqualTo(Rule.UNEXPECTED_STOP));
  }

  @Test
  void undeliveredNoticeIsRetriedWithBackoffAndReplayedAfterARestartOnce() throws Exception {
    VmStore store = store();
    notifier.down = true;
    AlarmService svc = service(store, notifier);
    store.put(state(vm, "stopped"));
    step(Duration.ofMillis(10));
    assertThat(svc.status().failedAttempts()).isEqualTo(1);
    // base 1 s, then 2 s: nothing is attempted before each wait is over.
    step(Duration.ofMillis(500));
    assertThat(svc.status().failedAttempts()).isEqualTo(1);
    step(Duration.ofMillis(600));
    assertThat(svc.status().failedAttempts()).isEqualTo(2);
    step(Duration.ofMillis(1500));
    assertThat(svc.status().failedAttempts()).isEqualTo(2);
    step(Duration.ofMillis(600));
    assertThat(svc.status().failedAttempts()).isEqualTo(3);
    svc.close();

    RecordingNotifier after = new RecordingNotifier();
    AlarmService again = service(store, after);
    step(Duration.ofSeconds(1));
    assertThat(after.received)
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.OPENED));
    again.close();
    RecordingNotifier third = new RecordingNotifier();
    service(store, third);
    step(Duration.ofSeconds(5));
    assertThat(third.received).isEmpty();
  }

  @Test
  void aStoreStillLoadingIsNotTakenForOneWithNoVms() throws Exception {
    VmStore first = store();
    AlarmService svc = service(first, notifier);
    first.put(state(vm, "stopped"));
    step(Duration.ofSeconds(1));
    svc.close();
    VmStore loading = VmStore.builder().clock(clock).build();
    closeables.add(loading);
    RecordingNotifier after = new RecordingNotifier();
    AlarmService again = service(loading, after);
    step(Duration.ofSeconds(5));
    assertThat(again.openAlarms()).hasSize(1);
    assertThat(after.received).isEmpty();
    loading.initialize(List.of(state(vm, "running")));
    step(Duration.ofSeconds(1));
    assertThat(again.openAlarms()).isEmpty();
    assertThat(after.received)
        .extracting(AlarmNotice::kind)
        .containsExactly(AlarmNotice.Kind.CLEARED);
  }

  @Test
  void corruptStateFileIsMovedAsideAndTheServiceStarts() throws Exception {
    Files.writeString(dir.resolve("alarms-state.json"), "{not json");
    AlarmService svc = service(store(), notifier);
    assertThat(svc.openAlarms()).isEmpty();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("alarms-state.json.corrupt-"));
    }
  }

  @Test
  void badInputIsRefusedClearly() {
    assertThatThrownBy(
            () -> new SuppressionRequest(Set.of(), Set.of(), Optional.of(Duration.ZERO), ""))
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> Rule.fromId("nope")).hasMessageContaining("unknown alarm rule 'nope'");
    assertThatThrownBy(() -> AlarmsConfig.defaults(dir).withFlapping(1, Duration.ofMinutes(1)))
        .hasMessageContaining("flapTransitions");
  }
}
