package io.vminfo.alarms;

import io.vminfo.core.time.Durations;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How the alarm service behaves.
 *
 * @param stateDir where the state file (open alarms, suppressions, last VM states) and the outbox
 *     live
 * @param rules the rules that may open alarms
 * @param rebootTimeout how long a requested reboot or start may take to bring a VM back to running
 * @param flapTransitions k: this many state changes within {@code flapWindow} open a flapping
 *     alarm; it clears after a whole window with none
 * @param flapWindow W
 * @param actionGrace how long after a requested action finished its transitions still count as
 *     expected (the feed may deliver them after the job's end)
 * @param actionMaxAge a requested action never finished explains transitions for at most this long
 * @param tick how often timers (reboot deadlines, flapping clear, suppression expiry) are checked
 * @param retryBase first delivery retry delay; doubled per attempt, with jitter
 * @param retryMax the longest delay between delivery attempts
 * @param outboxMaxPending notices kept undelivered per notifier before new ones are refused
 *     (logged)
 */
public record AlarmsConfig(
    java.nio.file.Path stateDir,
    Set<Rule> rules,
    Duration rebootTimeout,
    int flapTransitions,
    Duration flapWindow,
    Duration actionGrace,
    Duration actionMaxAge,
    Duration tick,
    Duration retryBase,
    Duration retryMax,
    int outboxMaxPending) {

  public AlarmsConfig {
    Objects.requireNonNull(stateDir, "stateDir");
    rules = rules.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(rules));
    Durations.requirePositive(rebootTimeout, "rebootTimeout");
    Durations.requirePositive(flapWindow, "flapWindow");
    Durations.requirePositive(actionGrace, "actionGrace");
    Durations.requirePositive(actionMaxAge, "actionMaxAge");
    Durations.requirePositive(tick, "tick");
    Durations.requirePositive(retryBase, "retryBase");
    Durations.requirePositive(retryMax, "retryMax");
    if (flapTransitions < 2) {
      throw new IllegalArgumentException(
          "flapTransitions must be at least 2, got " + flapTransitions);
    }
    if (retryMax.compareTo(retryBase) < 0) {
      throw new IllegalArgumentException("retryMax must not be shorter than retryBase");
    }
    if (outboxMaxPending < 1) {
      throw new IllegalArgumentException("outboxMaxPending must be positive");
    }
  }

  /** Every rule on, reboot timeout 5 min, flapping 4 changes in 10 min, retries 1 s .. 5 min. */
  public static AlarmsConfig defaults(java.nio.file.Path stateDir) {
    return new AlarmsConfig(
        stateDir,
        EnumSet.allOf(Rule.class),
        Duration.ofMinutes(5),
        4,
        Duration.ofMinutes(10),
        Duration.ofSeconds(60),
        Duration.ofMinutes(30),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Duration.ofMinutes(5),
        10_000);
  }

  public AlarmsConfig withRebootTimeout(Duration d) {
    return new AlarmsConfig(
        stateDir,
        rules,
        d,
        flapTransitions,
        flapWindow,
        actionGrace,
        actionMaxAge,
        tick,
        retryBase,
        retryMax,
        outboxMaxPending);
  }

  public AlarmsConfig withFlapping(int k, Duration window) {
    return new AlarmsConfig(
        stateDir,
        rules,
        rebootTimeout,
        k,
        window,
        actionGrace,
        actionMaxAge,
        tick,
        retryBase,
        retryMax,
        outboxMaxPending);
  }

  public AlarmsConfig withRetry(Duration base, Duration max) {
    return new AlarmsConfig(
        stateDir,
        rules,
        rebootTimeout,
        flapTransitions,
        flapWindow,
        actionGrace,
        actionMaxAge,
        tick,
        base,
        max,
        outboxMaxPending);
  }

  public AlarmsConfig withRules(Set<Rule> r) {
    return new AlarmsConfig(
        stateDir,
        r,
        rebootTimeout,
        flapTransitions,
        flapWindow,
        actionGrace,
        actionMaxAge,
        tick,
        retryBase,
        retryMax,
        outboxMaxPending);
  }

  public AlarmsConfig withTick(Duration t) {
    return new AlarmsConfig(
        stateDir,
        rules,
        rebootTimeout,
        flapTransitions,
        flapWindow,
        actionGrace,
        actionMaxAge,
        t,
        retryBase,
        retryMax,
        outboxMaxPending);
  }
}
