package io.vminfo.alarms;

import java.time.Instant;
import java.util.Objects;

/**
 * What a notifier delivers: an alarm opened or cleared. {@code deliveryId} is the same on every
 * retry and after a restart, so a receiver can drop a duplicate.
 */
public record AlarmNotice(String deliveryId, Kind kind, Alarm alarm, Instant at, String reason) {
  public enum Kind {
    OPENED("opened"),
    CLEARED("cleared");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public static Kind fromWireName(String name) {
      for (Kind k : values()) {
        if (k.wireName.equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown notice kind '" + name + "'");
    }
  }

  public AlarmNotice {
    Objects.requireNonNull(deliveryId, "deliveryId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(alarm, "alarm");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(reason, "reason");
  }
}
