package io.vminfo.sysevent.internal.usage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides each NIC counter's {@code counter_start}: the best stable start the host can tell (QEMU
 * process start, link creation) on first sight, so it survives agent restarts; a new start (the
 * detection time) when the counter resets: the device is re-created (its identity changes, e.g.
 * ifindex) or a counter goes down.
 */
public final class CounterStarts {
  private static final Duration FORGET_AFTER = Duration.ofHours(24);

  private final Clock clock;
  private final Map<String, State> states = new ConcurrentHashMap<>();
  private volatile Instant lastPrune;

  public CounterStarts(Clock clock) {
    this.clock = clock;
    this.lastPrune = clock.instant();
  }

  @SuppressWarnings("ArrayRecordComponent") // the map's values, never compared
  private record State(String identity, long[] values, Instant start, Instant seen) {}

  /**
   * @param key the counter set, e.g. {@code <vm uuid>/<mac>}
   * @param identity what must stay equal while the counter keeps counting (pid, ifindex, ...)
   * @param knownStart the host's own start time for this counter, when it has one
   * @param values the counters now (any going down means a reset)
   */
  public Instant start(String key, String identity, Optional<Instant> knownStart, long... values) {
    Instant now = clock.instant();
    prune(now);
    State prev = states.get(key);
    Instant start;
    if (prev == null) {
      start = knownStart.orElse(now);
    } else if (!prev.identity.equals(identity)) {
      start = knownStart.filter(k -> k.isAfter(prev.start)).orElse(now);
    } else if (wentDown(prev.values, values)) {
      start = now;
    } else {
      start = prev.start;
    }
    states.put(key, new State(identity, values.clone(), start, now));
    return start;
  }

  private static boolean wentDown(long[] before, long[] now) {
    for (int i = 0; i < Math.min(before.length, now.length); i++) {
      if (now[i] < before[i]) {
        return true;
      }
    }
    return false;
  }

  private void prune(Instant now) {
    if (Duration.between(lastPrune, now).compareTo(Duration.ofMinutes(10)) < 0) {
      return;
    }
    lastPrune = now;
    for (Iterator<State> it = states.values().iterator(); it.hasNext(); ) {
      if (Duration.between(it.next().seen, now).compareTo(FORGET_AFTER) > 0) {
        it.remove();
      }
    }
  }
}
