package io.vminfo.alarms;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The alarm rules. Each has a stable id used in config, suppressions, the API and notifications.
 */
public enum Rule {
  /**
   * A VM leaves {@code running} (or becomes {@code failed}) with no requested action to explain it.
   */
  UNEXPECTED_STOP("unexpected-stop"),
  /** A requested reboot or start does not bring the VM back to {@code running} in time. */
  REBOOT_TIMEOUT("reboot-timeout"),
  /** A VM changes state at least k times within a window. */
  FLAPPING("flapping");

  private final String id;

  Rule(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Rule fromId(String id) {
    for (Rule r : values()) {
      if (r.id.equals(id.toLowerCase(Locale.ROOT))) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown alarm rule '"
            + id
            + "' (known: "
            + Arrays.stream(values()).map(Rule::id).collect(Collectors.joining(", "))
            + ")");
  }
}
