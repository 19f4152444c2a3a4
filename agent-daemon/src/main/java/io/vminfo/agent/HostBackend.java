package io.vminfo.agent;

import io.vminfo.core.UsageProbe;
import io.vminfo.core.VmSource;
import java.util.Objects;

/**
 * What a host backend gives the agent: the VM source the store is kept equal to, and the probe
 * the usage recorder samples counters with. The agent owns both once returned (it closes the
 * source on stop).
 */
public record HostBackend(VmSource source, UsageProbe usageProbe) {
  public HostBackend {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(usageProbe, "usageProbe");
  }
}
