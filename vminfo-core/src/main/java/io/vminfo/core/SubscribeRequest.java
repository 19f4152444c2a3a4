package io.vminfo.core;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a feed subscriber asks for: optional filters by VM uuid and event type (empty = all), and
 * optionally to resume after revision {@code since} of the store run {@code epoch}.
 */
public record SubscribeRequest(
    Set<String> uuids,
    Set<VmEventType> types,
    OptionalLong since,
    Optional<String> epoch,
    String description) {

  public SubscribeRequest {
    uuids = Set.copyOf(Objects.requireNonNull(uuids, "uuids"));
    types = types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(description, "description");
    if (since.isPresent() && since.getAsLong() < 0) {
      throw new IllegalArgumentException("since must be >= 0, got " + since.getAsLong());
    }
  }

  /** Everything, starting with a snapshot. */
  public static SubscribeRequest all() {
    return new SubscribeRequest(Set.of(), Set.of(), OptionalLong.empty(), Optional.empty(), "");
  }

  public SubscribeRequest withUuids(Set<String> uuids) {
    return new SubscribeRequest(uuids, types, since, epoch, description);
  }

  public SubscribeRequest withTypes(Set<VmEventType> types) {
    return new SubscribeRequest(uuids, types, since, epoch, description);
  }

  /** Resume after {@code rev} of store run {@code epoch}, without a snapshot if possible. */
  public SubscribeRequest resumingAfter(long rev, String epoch) {
    return new SubscribeRequest(uuids, types, OptionalLong.of(rev), Optional.of(epoch), description);
  }

  /** A label shown in status (e.g. the remote address of an HTTP subscriber). */
  public SubscribeRequest describedAs(String description) {
    return new SubscribeRequest(uuids, types, since, epoch, description);
  }

  /** Whether an event passes the uuid and type filters. */
  public boolean matches(VmEvent event) {
    return (types.isEmpty() || types.contains(event.type()))
        && (uuids.isEmpty() || uuids.contains(event.uuid()));
  }

  /** Whether a VM belongs in the snapshot (uuid filter only; type filters do not hide VMs). */
  public boolean matches(Vm vm) {
    return uuids.isEmpty() || uuids.contains(vm.uuid());
  }
}
