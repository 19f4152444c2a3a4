package io.vminfo.sysevent;

import java.util.Objects;

/** Whether a host tree has a backend, and why (for the log and for error messages). */
public record Detection(boolean present, String reason) {
  public Detection {
    Objects.requireNonNull(reason, "reason");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("a detection needs a reason");
    }
  }

  /** The host has the backend, e.g. {@code found("/etc/zones exists")}. */
  public static Detection found(String reason) {
    return new Detection(true, reason);
  }

  /** The host does not have it, e.g. {@code absent("no /etc/zones")}. */
  public static Detection absent(String reason) {
    return new Detection(false, reason);
  }
}
