package io.vminfo.alarms.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.AlarmsConfig;
import io.vminfo.alarms.Rule;
import io.vminfo.alarms.Suppression;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlarmEngineTest {
  private static final String VM = "00000000-0000-4000-8000-000000000001";
  private static final String OTHER = "00000000-0000-4000-8000-000000000002";
  private final AlarmsConfig config =
      AlarmsConfig.defaults(Path.of("/nonexistent"))
          .withRebootTimeout(Duration.ofMinutes(2))
          .withFlapping(3, Duration.ofMinutes(10));
  private final AlarmEngine engine = new AlarmEngine(config);
  private Instant now = Instant.parse("2026-12-07T10:00:00Z");

  private List<AlarmNotice> see(String vm, String state) {
    return engine.observe(vm, Optional.of(state), now);
  }

  private void later(Duration d) {
    now = now.plus(d);
  }

  @Test
  void unexpectedStopOpensOnceAndClearsOnceWhenRunningAgain() {
    assertThat(see(VM, "running")).isEmpty();
    later(Duration.ofSeconds(1));
    List<AlarmNotice> opened = see(VM, "stopped");
    assertThat(opened)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.OPENED);
              assertThat(n.alarm().rule()).isEqualTo(Rule.UNEXPECTED_STOP);
              assertThat(n.alarm().vmUuid()).isEqualTo(VM);
            });
    // More events while down (e.g. stopping -> stopped -> installed) raise nothing more.
    later(Duration.ofSeconds(1));
    assertThat(see(VM, "installed")).isEmpty();
    assertThat(engine.observe(VM, Optional.of("installed"), now)).isEmpty();
    assertThat(engine.openAlarms()).hasSize(1);
    later(Duration.ofMinutes(20));
    List<AlarmNotice> cleared = see(VM, "running");
    assertThat(cleared)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.CLEARED);
              assertThat(n.alarm().id()).isEqualTo(opened.get(0).alarm().id());
            });
    assertThat(see(VM, "running")).isEmpty();
    assertThat(engine.openAlarms()).isEmpty();
  }

  @Test
  void becomingFailedIsAnUnexpectedStopEvenFromStopped() {
    see(VM, "stopped");
    later(Duration.ofSeconds(1));
    assertThat(see(VM, "failed"))
        .singleElement()
        .satisfies(n -> assertThat(n.alarm().rule()).isEqualTo(Rule.UNEXPECTED_STOP));
  }

  @Test
  void firstSightOfAStoppedVmRaisesNothing() {
    assertThat(see(VM, "stopped")).isEmpty();
  }

  @Test
  void requestedStopOpensNothingButAStopAfterTheGraceDoes() {
    see(VM, "running");
    engine.actionRequested(VM, "stop", now);
    later(Duration.ofSeconds(5));
    assertThat(see(VM, "stopped")).isEmpty();
    engine.actionFinished(VM, "stop", true, now);
    later(Duration.ofSeconds(10));
    assertThat(see(VM, "running")).isEmpty();
    later(config.actionGrace());
    assertThat(see(VM, "stopped"))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.OPENED));
  }

  @Test
  void aStopRightAfterARequestedRebootCameBackIsUnexpected() {
    see(VM, "running");
    engine.actionRequested(VM, "reboot", now);
    later(Duration.ofSeconds(1));
    assertThat(see(VM, "stopped")).isEmpty();
    later(Duration.ofSeconds(1));
    assertThat(see(VM, "running")).isEmpty();
    engine.actionFinished(VM, "reboot", true, now);
    later(Duration.ofSeconds(1)); // well inside the action grace
    assertThat(see(VM, "stopped"))
        .singleElement()
        .satisfies(n -> assertThat(n.alarm().rule()).isEqualTo(Rule.UNEXPECTED_STOP));
  }

  @Test
  void aJobThatEndsBeforeTheFeedShowsRunningStillEndsItsExpectationThere() {
    see(VM, "running");
    engine.actionRequested(VM, "start", now);
    see(VM, "stopped");
    engine.actionFinished(VM, "start", true, now); // the feed is a moment behind the job
    later(Duration.ofMillis(5));
    assertThat(see(VM, "running")).isEmpty();
    later(Duration.ofSeconds(1));
    assertThat(see(VM, "stopped"))
        .singleElement()
        .satisfies(n -> assertThat(n.alarm().rule()).isEqualTo(Rule.UNEXPECTED_STOP));
  }

  @Test
  void requestedRebootThatComesBackOpensNothing() {
    see(VM, "running");
    engine.actionRequested(VM, "reboot", now);
    later(Duration.ofSeconds(2));
    assertThat(see(VM, "stopped")).isEmpty();
    later(Duration.ofSeconds(20));
    assertThat(see(VM, "running")).isEmpty();
    engine.actionFinished(VM, "reboot", true, now);
    later(Duration.ofMinutes(5));
    assertThat(engine.tick(now)).isEmpty();
    assertThat(engine.openAlarms()).isEmpty();
  }

  @Test
  void rebootThatDoesNotComeBackInTimeOpensRebootTimeoutThenClears() {
    see(VM, "running");
    engine.actionRequested(VM, "reboot", now);
    later(Duration.ofSeconds(2));
    see(VM, "stopped");
    later(Duration.ofSeconds(117));
    assertThat(engine.tick(now)).isEmpty();
    later(Duration.ofSeconds(1));
    assertThat(engine.tick(now))
        .singleElement()
        .satisfies(n -> assertThat(n.alarm().rule()).isEqualTo(Rule.REBOOT_TIMEOUT));
    later(Duration.ofSeconds(1));
    assertThat(engine.tick(now)).isEmpty();
    later(Duration.ofMinutes(1));
    assertThat(see(VM, "running"))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.CLEARED);
              assertThat(n.alarm().rule()).isEqualTo(Rule.REBOOT_TIMEOUT);
            });
  }

  @Test
  void startThatNeverRunsOpensRebootTimeout() {
    see(VM, "stopped");
    engine.actionRequested(VM, "start", now);
    engine.actionFinished(VM, "start", false, now);
    later(Duration.ofMinutes(2));
    assertThat(engine.tick(now))
        .singleElement()
        .satisfies(n -> assertThat(n.alarm().rule()).isEqualTo(Rule.REBOOT_TIMEOUT));
  }

  @Test
  void flappingOpensAtKTransitionsInTheWindowAndClearsAfterAQuietWindow() {
    AlarmEngine e = new AlarmEngine(config.withRules(EnumSet.of(Rule.FLAPPING)));
    e.observe(VM, Optional.of("running"), now);
    now = now.plusSeconds(60);
    assertThat(e.observe(VM, Optional.of("stopped"), now)).isEmpty();
    now = now.plusSeconds(60);
    assertThat(e.observe(VM, Optional.of("running"), now)).isEmpty();
    now = now.plusSeconds(60);
    List<AlarmNotice> opened = e.observe(VM, Optional.of("stopped"), now);
    assertThat(opened)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.alarm().rule()).isEqualTo(Rule.FLAPPING);
              assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.OPENED);
            });
    now = now.plusSeconds(60);
    assertThat(e.observe(VM, Optional.of("running"), now)).isEmpty();
    now = now.plusSeconds(599);
    assertThat(e.tick(now)).isEmpty();
    now = now.plusSeconds(1);
    assertThat(e.tick(now))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.CLEARED));
    assertThat(e.tick(now)).isEmpty();
  }

  @Test
  void transitionsSpreadWiderThanTheWindowAreNotFlapping() {
    AlarmEngine e = new AlarmEngine(config.withRules(EnumSet.of(Rule.FLAPPING)));
    e.observe(VM, Optional.of("running"), now);
    for (int i = 0; i < 6; i++) {
      now = now.plusSeconds(301);
      assertThat(e.observe(VM, Optional.of(i % 2 == 0 ? "stopped" : "running"), now)).isEmpty();
    }
  }

  @Test
  void suppressionByVmAndRuleHoldsBackOnlyWhatItCovers() {
    engine.suppress(
        new Suppression(
            "s1", Set.of(VM), Set.of(Rule.UNEXPECTED_STOP), now, Optional.empty(), "maintenance"));
    see(VM, "running");
    see(OTHER, "running");
    later(Duration.ofSeconds(1));
    assertThat(see(VM, "stopped")).isEmpty();
    assertThat(see(OTHER, "stopped"))
        .singleElement()
        .satisfies(n -> assertThat(n.alarm().vmUuid()).isEqualTo(OTHER));
    assertThat(engine.suppressedCount()).isEqualTo(1);
  }

  @Test
  void suppressionOfOtherRulesDoesNotHoldBackThisOne() {
    engine.suppress(
        new Suppression("s1", Set.of(), Set.of(Rule.FLAPPING), now, Optional.empty(), ""));
    see(VM, "running");
    later(Duration.ofSeconds(1));
    assertThat(see(VM, "stopped")).hasSize(1);
  }

  @Test
  void suppressionForADurationExpiresAndLiftingEndsIt() {
    engine.suppress(
        new Suppression(
            "s1", Set.of(), Set.of(), now, Optional.of(now.plus(Duration.ofHours(2))), "2h"));
    engine.suppress(new Suppression("s2", Set.of(OTHER), Set.of(), now, Optional.empty(), ""));
    see(VM, "running");
    see(OTHER, "running");
    later(Duration.ofMinutes(119));
    assertThat(see(VM, "stopped")).isEmpty();
    see(VM, "running");
    later(Duration.ofMinutes(1));
    engine.tick(now);
    assertThat(engine.suppressions(now)).extracting(Suppression::id).containsExactly("s2");
    later(Duration.ofMinutes(11));
    assertThat(see(VM, "stopped")).hasSize(1);
    assertThat(see(OTHER, "stopped")).isEmpty();
    see(OTHER, "running");
    assertThat(engine.lift("s2")).isPresent();
    assertThat(engine.lift("s2")).isEmpty();
    later(Duration.ofMinutes(11));
    assertThat(see(OTHER, "stopped")).hasSize(1);
  }

  @Test
  void deletedVmClearsItsAlarms() {
    see(VM, "running");
    later(Duration.ofSeconds(1));
    see(VM, "stopped");
    assertThat(engine.deleted(VM, now))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.CLEARED);
              assertThat(n.reason()).isEqualTo("vm deleted");
            });
    assertThat(engine.openAlarms()).isEmpty();
    assertThat(engine.states()).doesNotContainKey(VM);
  }

  @Test
  void resyncComparesStatesInsteadOfAlarmingForEveryVm() {
    see(VM, "running");
    see(OTHER, "stopped");
    later(Duration.ofSeconds(1));
    List<AlarmNotice> out =
        engine.resync(
            Map.of(
                VM,
                Optional.of("running"),
                OTHER,
                Optional.of("stopped"),
                "00000000-0000-4000-8000-000000000003",
                Optional.of("stopped")),
            now);
    assertThat(out).isEmpty();
    out = engine.resync(Map.of(VM, Optional.of("stopped")), now);
    assertThat(out)
        .singleElement()
        .satisfies(n -> assertThat(n.alarm().rule()).isEqualTo(Rule.UNEXPECTED_STOP));
    assertThat(engine.states()).containsOnlyKeys(VM);
  }

  @Test
  void restoredOpenAlarmIsNotOpenedAgain() {
    see(VM, "running");
    later(Duration.ofSeconds(1));
    see(VM, "stopped");
    AlarmEngine restarted = new AlarmEngine(config);
    restarted.restore(engine.states(), engine.openAlarms(), List.of());
    assertThat(restarted.resync(Map.of(VM, Optional.of("stopped")), now)).isEmpty();
    assertThat(restarted.resync(Map.of(VM, Optional.of("running")), now))
        .singleElement()
        .satisfies(n -> assertThat(n.kind()).isEqualTo(AlarmNotice.Kind.CLEARED));
  }

  @Test
  void disabledRuleNeverOpens() {
    AlarmEngine e = new AlarmEngine(config.withRules(EnumSet.of(Rule.FLAPPING)));
    e.observe(VM, Optional.of("running"), now);
    assertThat(e.observe(VM, Optional.of("stopped"), now.plusSeconds(1))).isEmpty();
  }
}
