package io.vminfo.alarms;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Holds back alarms for a set of VMs and rules. An empty {@code vms} means every VM, an empty
 * {@code rules} every rule; with no {@code until} it lasts until lifted.
 */
public record Suppression(
    String id,
    Set<String> vms,
    Set<Rule> rules,
    Instant createdAt,
    Optional<Instant> until,
    String reason) {
  public Suppression {
    Objects.requireNonNull(id, "id");
    vms = Set.copyOf(vms);
    rules = rules.isEmpty() ? Set.of() : Set.copyOf(rules);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(reason, "reason");
    if (until.isPresent() && !until.get().isAfter(createdAt)) {
      throw new IllegalArgumentException("a suppression must end after it starts");
    }
  }

  public boolean activeAt(Instant now) {
    return until.isEmpty() || now.isBefore(until.get());
  }

  public boolean covers(String vmUuid, Rule rule, Instant now) {
    return activeAt(now)
        && (vms.isEmpty() || vms.contains(vmUuid))
        && (rules.isEmpty() || rules.contains(rule));
  }
}
