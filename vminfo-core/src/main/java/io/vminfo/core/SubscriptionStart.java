package io.vminfo.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** How a subscription begins: with a snapshot, or resumed from a revision. */
public sealed interface SubscriptionStart
    permits SubscriptionStart.Snapshot, SubscriptionStart.Resumed {

  /** The revision the subscription starts after; its events have revisions greater than this. */
  long rev();

  /**
   * The VMs (filtered by uuid) at {@code rev}. {@code resyncReason} is present when a resume was
   * asked for and could not be honoured (the client must replace its state with this snapshot).
   */
  record Snapshot(List<Vm> vms, long rev, Optional<String> resyncReason)
      implements SubscriptionStart {
    public Snapshot {
      vms = List.copyOf(vms);
      Objects.requireNonNull(resyncReason, "resyncReason");
    }

    public boolean resync() {
      return resyncReason.isPresent();
    }
  }

  /** Resumed: the events after {@code rev} (the client's {@code since}) are queued, no snapshot. */
  record Resumed(long rev) implements SubscriptionStart {}
}
