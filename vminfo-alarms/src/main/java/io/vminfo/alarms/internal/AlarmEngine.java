package io.vminfo.alarms.internal;

import io.vminfo.alarms.Alarm;
import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.AlarmsConfig;
import io.vminfo.alarms.Rule;
import io.vminfo.alarms.Suppression;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules, with no I/O and no clock of its own: every call is given "now" and returns the notices
 * it produced. Alarms are edge-triggered: at most one open per VM and rule; a notice only when one
 * opens or clears. Not thread-safe; the service serializes calls.
 */
public final class AlarmEngine {
  private static final Logger log = LoggerFactory.getLogger(AlarmEngine.class);

  static final String RUNNING = "running";
  static final String FAILED = "failed";

  /** Actions whose own effect is to take a VM out of running. */
  private static final Set<String> LEAVING =
      Set.of(
          "stop", "shutdown", "poweroff", "suspend", "reboot", "restart", "delete", "halt", "kill");

  /** Actions that must end with the VM running, within the reboot timeout. */
  private static final Set<String> RETURNING = Set.of("reboot", "restart", "start", "resume");

  private final AlarmsConfig config;
  private final Map<String, VmTrack> vms = new HashMap<>();
  private final Map<String, Alarm> open = new LinkedHashMap<>();
  private final Map<String, Suppression> suppressions = new LinkedHashMap<>();
  private long suppressedCount;

  public AlarmEngine(AlarmsConfig config) {
    this.config = config;
  }

  private static final class VmTrack {
    String state;
    final Deque<Instant> transitions = new ArrayDeque<>();
    String expectedAction;
    Instant expectedSince;
    Instant expectedFinished;
    Instant returnDeadline;
    String returnAction;
  }

  /** Restores what a state file held, with no notices. */
  public void restore(Map<String, String> states, List<Alarm> alarms, List<Suppression> sups) {
    states.forEach((uuid, s) -> track(uuid).state = s);
    for (Alarm a : alarms) {
      open.put(key(a.vmUuid(), a.rule()), a);
    }
    for (Suppression s : sups) {
      suppressions.put(s.id(), s);
    }
  }

  /** A VM as the store now shows it (created or modified); {@code state} empty if it has none. */
  public List<AlarmNotice> observe(String uuid, Optional<String> state, Instant now) {
    List<AlarmNotice> out = new ArrayList<>();
    VmTrack t = track(uuid);
    String prev = t.state;
    String cur = state.orElse("");
    t.state = cur;
    if (prev == null || prev.equals(cur)) {
      // First sight (nothing to compare) or a change that is not a state transition.
      if (prev == null && FAILED.equals(cur)) {
        openAlarm(uuid, Rule.UNEXPECTED_STOP, "vm is failed", now, out);
      }
      return out;
    }
    boolean expected = expectationActive(t, now);
    if (!expected) {
      t.transitions.addLast(now);
      prune(t, now);
      if (t.transitions.size() >= config.flapTransitions()) {
        openAlarm(
            uuid,
            Rule.FLAPPING,
            t.transitions.size() + " state changes within " + config.flapWindow(),
            now,
            out);
      }
    }
    if (RUNNING.equals(cur)) {
      endExpectationIfArrived(t);
      t.returnDeadline = null;
      t.returnAction = null;
      clearAlarm(uuid, Rule.UNEXPECTED_STOP, "vm is running again", now, out);
      clearAlarm(uuid, Rule.REBOOT_TIMEOUT, "vm is running again", now, out);
    } else if (FAILED.equals(cur)) {
      openAlarm(uuid, Rule.UNEXPECTED_STOP, "vm went from " + prev + " to failed", now, out);
    } else if (RUNNING.equals(prev) && !expected) {
      openAlarm(
          uuid,
          Rule.UNEXPECTED_STOP,
          "vm went from running to " + describe(cur) + " with no requested action",
          now,
          out);
    }
    return out;
  }

  /** A VM was deleted: its alarms clear and it is forgotten. */
  public List<AlarmNotice> deleted(String uuid, Instant now) {
    List<AlarmNotice> out = new ArrayList<>();
    for (Rule r : Rule.values()) {
      clearAlarm(uuid, r, "vm deleted", now, out);
    }
    vms.remove(uuid);
    return out;
  }

  /**
   * A full picture after a (re)subscription: VMs known before but absent are deleted, the others
   * are compared with what was known, so a resync raises alarms only for real transitions.
   */
  public List<AlarmNotice> resync(Map<String, Optional<String>> current, Instant now) {
    List<AlarmNotice> out = new ArrayList<>();
    for (String known : List.copyOf(vms.keySet())) {
      if (!current.containsKey(known)) {
        out.addAll(deleted(known, now));
      }
    }
    for (String known : List.copyOf(open.values().stream().map(Alarm::vmUuid).toList())) {
      if (!current.containsKey(known)) {
        out.addAll(deleted(known, now));
      }
    }
    current.forEach((uuid, state) -> out.addAll(observe(uuid, state, now)));
    return out;
  }

  public void actionRequested(String uuid, String action, Instant now) {
    VmTrack t = track(uuid);
    String a = action.toLowerCase(java.util.Locale.ROOT);
    if (LEAVING.contains(a) || RETURNING.contains(a)) {
      t.expectedAction = a;
      t.expectedSince = now;
      t.expectedFinished = null;
    }
    if (RETURNING.contains(a)) {
      t.returnDeadline = now.plus(config.rebootTimeout());
      t.returnAction = a;
    } else if (LEAVING.contains(a)) {
      // A requested stop supersedes a pending "come back" expectation.
      t.returnDeadline = null;
      t.returnAction = null;
    }
  }

  public List<AlarmNotice> actionFinished(
      String uuid, String action, boolean succeeded, Instant now) {
    List<AlarmNotice> out = new ArrayList<>();
    VmTrack t = vms.get(uuid);
    if (t == null) {
      return out;
    }
    String a = action.toLowerCase(java.util.Locale.ROOT);
    if (a.equals(t.expectedAction) && t.expectedFinished == null) {
      t.expectedFinished = now;
    }
    if (succeeded) {
      endExpectationIfArrived(t);
    }
    if (succeeded
        && t.returnDeadline != null
        && a.equals(t.returnAction)
        && RUNNING.equals(t.state)) {
      t.returnDeadline = null;
      t.returnAction = null;
    }
    return out;
  }

  /** Timers: reboot deadlines, flapping clear after a quiet window, suppressions that ran out. */
  public List<AlarmNotice> tick(Instant now) {
    List<AlarmNotice> out = new ArrayList<>();
    for (Map.Entry<String, VmTrack> e : vms.entrySet()) {
      String uuid = e.getKey();
      VmTrack t = e.getValue();
      if (t.returnDeadline != null && !now.isBefore(t.returnDeadline)) {
        String action = t.returnAction;
        t.returnDeadline = null;
        t.returnAction = null;
        if (!RUNNING.equals(t.state)) {
          openAlarm(
              uuid,
              Rule.REBOOT_TIMEOUT,
              "requested "
                  + action
                  + " did not bring the vm back to"
                  + " running within "
                  + config.rebootTimeout()
                  + " (it is "
                  + describe(t.state)
                  + ")",
              now,
              out);
        }
      }
      prune(t, now);
      if (t.transitions.isEmpty()) {
        clearAlarm(uuid, Rule.FLAPPING, "no state change for " + config.flapWindow(), now, out);
      }
    }
    suppressions
        .values()
        .removeIf(
            s -> {
              boolean over = !s.activeAt(now);
              if (over) {
                log.info("suppression {} ran out", s.id());
              }
              return over;
            });
    return out;
  }

  /** True if {@code tick} could change something: the service saves state only then. */
  public boolean hasTimers() {
    if (!suppressions.isEmpty()) {
      return true;
    }
    for (VmTrack t : vms.values()) {
      if (t.returnDeadline != null || !t.transitions.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  public Suppression suppress(Suppression s) {
    suppressions.put(s.id(), s);
    return s;
  }

  public Optional<Suppression> lift(String id) {
    return Optional.ofNullable(suppressions.remove(id));
  }

  public List<Alarm> openAlarms() {
    return List.copyOf(open.values());
  }

  public List<Suppression> suppressions(Instant now) {
    return suppressions.values().stream().filter(s -> s.activeAt(now)).toList();
  }

  public Map<String, String> states() {
    Map<String, String> m = new LinkedHashMap<>();
    vms.forEach(
        (uuid, t) -> {
          if (t.state != null) {
            m.put(uuid, t.state);
          }
        });
    return m;
  }

  public long suppressedCount() {
    return suppressedCount;
  }

  /**
   * A finished action that ends running (start, reboot, resume) explains nothing more once the VM
   * is seen running: its own transitions are over, and a stop a second later is a new one, not the
   * tail of the reboot. (The grace still covers a feed that lags the job's end.)
   */
  private static void endExpectationIfArrived(VmTrack t) {
    if (t.expectedAction != null
        && t.expectedFinished != null
        && RETURNING.contains(t.expectedAction)
        && RUNNING.equals(t.state)) {
      t.expectedAction = null;
      t.expectedFinished = null;
      t.expectedSince = null;
    }
  }

  private boolean expectationActive(VmTrack t, Instant now) {
    if (t.expectedAction == null) {
      return false;
    }
    if (t.expectedFinished != null) {
      return now.isBefore(t.expectedFinished.plus(config.actionGrace()));
    }
    return now.isBefore(t.expectedSince.plus(config.actionMaxAge()));
  }

  private void prune(VmTrack t, Instant now) {
    Instant from = now.minus(config.flapWindow());
    while (!t.transitions.isEmpty() && !t.transitions.peekFirst().isAfter(from)) {
      t.transitions.removeFirst();
    }
  }

  private void openAlarm(
      String uuid, Rule rule, String detail, Instant now, List<AlarmNotice> out) {
    if (!config.rules().contains(rule) || open.containsKey(key(uuid, rule))) {
      return;
    }
    for (Suppression s : suppressions.values()) {
      if (s.covers(uuid, rule, now)) {
        suppressedCount++;
        log.info("alarm {} on vm {} held back by suppression {}", rule.id(), uuid, s.id());
        return;
      }
    }
    Alarm a = new Alarm(UUID.randomUUID().toString(), uuid, rule, now, detail);
    open.put(key(uuid, rule), a);
    out.add(new AlarmNotice(UUID.randomUUID().toString(), AlarmNotice.Kind.OPENED, a, now, detail));
  }

  private void clearAlarm(
      String uuid, Rule rule, String reason, Instant now, List<AlarmNotice> out) {
    Alarm a = open.remove(key(uuid, rule));
    if (a != null) {
      out.add(
          new AlarmNotice(UUID.randomUUID().toString(), AlarmNotice.Kind.CLEARED, a, now, reason));
    }
  }

  private VmTrack track(String uuid) {
    return vms.computeIfAbsent(uuid, u -> new VmTrack());
  }

  private static String key(String uuid, Rule rule) {
    return uuid + "/" + rule.id();
  }

  private static String describe(String state) {
    return state == null || state.isEmpty() ? "(no state)" : state;
  }
}
