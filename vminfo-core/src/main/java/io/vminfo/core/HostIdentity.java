package io.vminfo.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Who the host is, as far as its backend knows (SmartOS sysinfo {@code UUID}, {@code Datacenter
 * Name}).
 */
public record HostIdentity(Optional<String> serverUuid, Optional<String> datacenterName) {
  public HostIdentity {
    Objects.requireNonNull(serverUuid, "serverUuid");
    Objects.requireNonNull(datacenterName, "datacenterName");
  }

  public static HostIdentity unknown() {
    return new HostIdentity(Optional.empty(), Optional.empty());
  }
}
