package io.vminfo.alarms;

import java.time.Instant;
import java.util.Objects;

/** An open alarm: one per VM and rule at most. */
public record Alarm(String id, String vmUuid, Rule rule, Instant openedAt, String detail) {
  public Alarm {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(vmUuid, "vmUuid");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(openedAt, "openedAt");
    Objects.requireNonNull(detail, "detail");
    if (id.isBlank() || vmUuid.isBlank()) {
      throw new IllegalArgumentException("alarm id and vm uuid must not be blank");
    }
  }
}
