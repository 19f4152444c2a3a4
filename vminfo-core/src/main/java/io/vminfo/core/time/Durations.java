package io.vminfo.core.time;

import java.time.Duration;
import java.util.Objects;

/** The one check of a duration argument (builders fail fast, naming the argument). */
public final class Durations {
  private Durations() {}

  /**
   * Returns {@code d}.
   *
   * @throws NullPointerException naming {@code name} for null
   * @throws IllegalArgumentException naming {@code name} for zero or negative
   */
  public static Duration requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }
}
