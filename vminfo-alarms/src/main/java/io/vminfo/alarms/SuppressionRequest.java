package io.vminfo.alarms;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A request to suppress: VMs (empty = all), rules (empty = all), how long (empty = until lifted).
 */
public record SuppressionRequest(
    Set<String> vms, Set<Rule> rules, Optional<Duration> duration, String reason) {
  public SuppressionRequest {
    vms = Set.copyOf(vms);
    rules = Set.copyOf(rules);
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(reason, "reason");
    if (duration.isPresent() && (duration.get().isNegative() || duration.get().isZero())) {
      throw new IllegalArgumentException("a suppression's duration must be positive");
    }
    for (String vm : vms) {
      if (vm.isBlank()) {
        throw new IllegalArgumentException("a suppressed vm uuid must not be blank");
      }
    }
  }
}
