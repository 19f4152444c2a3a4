package io.vminfo.agent;

import io.vminfo.core.GuestActions;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.VmSource;
import java.util.Objects;

/**
 * What a host backend gives the agent: the VM source the store is kept equal to, the probe the
 * usage recorder samples counters with, and the guest actions the write API runs as jobs ({@link
 * GuestActions#NONE} when the backend has none). The agent owns the source once returned (it closes
 * it on stop).
 */
public record HostBackend(VmSource source, UsageProbe usageProbe, GuestActions actions) {
  public HostBackend {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(usageProbe, "usageProbe");
    Objects.requireNonNull(actions, "actions");
  }

  /** A backend without guest actions. */
  public HostBackend(VmSource source, UsageProbe usageProbe) {
    this(source, usageProbe, GuestActions.NONE);
  }
}
