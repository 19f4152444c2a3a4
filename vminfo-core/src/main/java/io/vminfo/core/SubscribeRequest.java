package io.vminfo.core;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a feed subscriber asks for: optional filters by VM uuid and event type (empty = all), and
 * optionally to resume after revision {@code since} of the store run {@code epoch}.
 *
 * <p>{@code ignoredKeys} drops modify events all of whose changes are under these top-level keys
 * (typically {@code last_modified}, which vminfod's feed, and so ours by default, reports on its
 * own when a zone's XML is rewritten without another change). A modify that also changes another
 * key is sent whole, its {@code last_modified} change included.
 */
public record SubscribeRequest(
    Set<String> uuids,
    Set<VmEventType> types,
    Set<String> ignoredKeys,
    OptionalLong since,
    Optional<String> epoch,
    String description) {

  /** At most this many ignored keys: a filter, not a projection. */
  public static final int MAX_IGNORED_KEYS = 32;

  public SubscribeRequest {
    uuids = Set.copyOf(Objects.requireNonNull(uuids, "uuids"));
    types = types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
    ignoredKeys = Set.copyOf(Objects.requireNonNull(ignoredKeys, "ignoredKeys"));
    if (ignoredKeys.size() > MAX_IGNORED_KEYS) {
      throw new IllegalArgumentException(
          "at most " + MAX_IGNORED_KEYS + " ignored keys, got " + ignoredKeys.size());
    }
    for (String k : ignoredKeys) {
      if (k.isEmpty()) {
        throw new IllegalArgumentException("an ignored key is empty");
      }
    }
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(description, "description");
    if (since.isPresent() && since.getAsLong() < 0) {
      throw new IllegalArgumentException("since must be >= 0, got " + since.getAsLong());
    }
  }

  /** Without ignored keys (the form before they existed). */
  public SubscribeRequest(
      Set<String> uuids,
      Set<VmEventType> types,
      OptionalLong since,
      Optional<String> epoch,
      String description) {
    this(uuids, types, Set.of(), since, epoch, description);
  }

  /** Everything, starting with a snapshot. */
  public static SubscribeRequest all() {
    return new SubscribeRequest(Set.of(), Set.of(), OptionalLong.empty(), Optional.empty(), "");
  }

  public SubscribeRequest withUuids(Set<String> uuids) {
    return new SubscribeRequest(uuids, types, ignoredKeys, since, epoch, description);
  }

  public SubscribeRequest withTypes(Set<VmEventType> types) {
    return new SubscribeRequest(uuids, types, ignoredKeys, since, epoch, description);
  }

  /** Drop modify events that change nothing but these top-level keys. */
  public SubscribeRequest ignoringChangesTo(Set<String> keys) {
    return new SubscribeRequest(uuids, types, keys, since, epoch, description);
  }

  /** Resume after {@code rev} of store run {@code epoch}, without a snapshot if possible. */
  public SubscribeRequest resumingAfter(long rev, String epoch) {
    return new SubscribeRequest(
        uuids, types, ignoredKeys, OptionalLong.of(rev), Optional.of(epoch), description);
  }

  /** A label shown in status (e.g. the remote address of an HTTP subscriber). */
  public SubscribeRequest describedAs(String description) {
    return new SubscribeRequest(uuids, types, ignoredKeys, since, epoch, description);
  }

  /** Whether an event passes the uuid, type and ignored-keys filters. */
  public boolean matches(VmEvent event) {
    return (types.isEmpty() || types.contains(event.type()))
        && (uuids.isEmpty() || uuids.contains(event.uuid()))
        && !changesOnlyIgnoredKeys(event);
  }

  private boolean changesOnlyIgnoredKeys(VmEvent event) {
    if (ignoredKeys.isEmpty() || event.type() != VmEventType.MODIFY) {
      return false;
    }
    for (Change c : event.changes()) {
      List<PathSegment> path = c.path();
      if (path.isEmpty() || !ignoredKeys.contains(path.get(0).name().orElse(""))) {
        return false;
      }
    }
    return true;
  }

  /** Whether a VM belongs in the snapshot (uuid filter only; type filters do not hide VMs). */
  public boolean matches(Vm vm) {
    return uuids.isEmpty() || uuids.contains(vm.uuid());
  }
}
