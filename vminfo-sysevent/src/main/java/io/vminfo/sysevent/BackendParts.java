package io.vminfo.sysevent;

import io.vminfo.core.GuestActions;
import io.vminfo.core.UsageProbe;
import io.vminfo.core.VmSource;
import java.util.Objects;

/**
 * What a {@link BackendProvider} makes for the agent: the VM source, the usage probe and the guest
 * actions ({@link GuestActions#NONE} when it has none). Whoever receives it owns the source.
 */
public record BackendParts(VmSource source, UsageProbe usageProbe, GuestActions actions) {
  public BackendParts {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(usageProbe, "usageProbe");
    Objects.requireNonNull(actions, "actions");
  }
}
