package io.vminfo.core.client;

import io.vminfo.core.VmEventType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an {@link EventStream} asks for and how it reconnects.
 *
 * @param uuids server-side filter: only these VMs (empty = all)
 * @param types server-side filter: only these event types (empty = all)
 * @param ignoredKeys server-side filter: no modify events that change only these top-level keys
 *     (e.g. {@code last_modified}); ignored by agents that predate it, as old vminfod
 * @param heartbeat ask the agent for a heartbeat line this often when idle; a connection silent for
 *     three heartbeats is treated as dead and replaced (only against agents that send revisions,
 *     since old vminfod ignores the request)
 * @param resumeFrom start by resuming from here instead of with a snapshot
 * @param initialBackoff first reconnect delay; doubles per failed attempt; each delay is drawn
 *     between half its ceiling and all of it (core {@code concurrent.Backoff})
 * @param maxBackoff cap of the reconnect delay
 */
public record EventStreamOptions(
    Set<String> uuids,
    Set<VmEventType> types,
    Set<String> ignoredKeys,
    Optional<Duration> heartbeat,
    Optional<ResumePoint> resumeFrom,
    Duration initialBackoff,
    Duration maxBackoff) {

  private static final EventStreamOptions DEFAULTS =
      new EventStreamOptions(
          Set.of(),
          Set.of(),
          Set.of(),
          Optional.of(Duration.ofSeconds(30)),
          Optional.empty(),
          Duration.ofMillis(100),
          Duration.ofSeconds(30));

  public EventStreamOptions {
    uuids = Set.copyOf(Objects.requireNonNull(uuids, "uuids"));
    types = types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
    ignoredKeys = Set.copyOf(Objects.requireNonNull(ignoredKeys, "ignoredKeys"));
    Objects.requireNonNull(heartbeat, "heartbeat");
    heartbeat.ifPresent(
        h -> {
          if (h.toSeconds() < 1) {
            throw new IllegalArgumentException("heartbeat must be at least 1 s, got " + h);
          }
        });
    Objects.requireNonNull(resumeFrom, "resumeFrom");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be >= initialBackoff");
    }
  }

  /** All VMs, all types, a heartbeat every 30 s, backoff from 100 ms up to 30 s. */
  public static EventStreamOptions defaults() {
    return DEFAULTS;
  }

  public EventStreamOptions withUuids(Set<String> uuids) {
    return new EventStreamOptions(
        uuids, types, ignoredKeys, heartbeat, resumeFrom, initialBackoff, maxBackoff);
  }

  public EventStreamOptions withTypes(Set<VmEventType> types) {
    return new EventStreamOptions(
        uuids, types, ignoredKeys, heartbeat, resumeFrom, initialBackoff, maxBackoff);
  }

  /** No modify events that change only these top-level keys (e.g. {@code last_modified}). */
  public EventStreamOptions ignoringChangesTo(Set<String> keys) {
    return new EventStreamOptions(
        uuids, types, keys, heartbeat, resumeFrom, initialBackoff, maxBackoff);
  }

  public EventStreamOptions withHeartbeat(Duration every) {
    return new EventStreamOptions(
        uuids, types, ignoredKeys, Optional.of(every), resumeFrom, initialBackoff, maxBackoff);
  }

  public EventStreamOptions withoutHeartbeat() {
    return new EventStreamOptions(
        uuids, types, ignoredKeys, Optional.empty(), resumeFrom, initialBackoff, maxBackoff);
  }

  public EventStreamOptions resumingFrom(ResumePoint point) {
    return new EventStreamOptions(
        uuids, types, ignoredKeys, heartbeat, Optional.of(point), initialBackoff, maxBackoff);
  }

  public EventStreamOptions withBackoff(Duration initial, Duration max) {
    return new EventStreamOptions(uuids, types, ignoredKeys, heartbeat, resumeFrom, initial, max);
  }

  /** Whether the agent filters this stream (then revisions seen are not consecutive). */
  public boolean filtered() {
    return !uuids.isEmpty() || !types.isEmpty() || !ignoredKeys.isEmpty();
  }
}
