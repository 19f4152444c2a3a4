package io.vminfo.core.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a watch waits.
 *
 * @param timeout how long {@link EventWatch#await()} waits
 * @param firstMatch for change watches: done at the first matching change (vminfod's {@code
 *     firstMatch}) instead of when every group was seen
 * @param stream how the underlying event stream connects and reconnects (its uuid and type filters
 *     are derived from the pattern where it pins them)
 */
public record WatchOptions(Duration timeout, boolean firstMatch, EventStreamOptions stream) {
  public WatchOptions {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Objects.requireNonNull(stream, "stream");
  }

  public static WatchOptions timeout(Duration timeout) {
    return new WatchOptions(timeout, false, EventStreamOptions.defaults());
  }

  public WatchOptions withFirstMatch() {
    return new WatchOptions(timeout, true, stream);
  }

  public WatchOptions withStream(EventStreamOptions stream) {
    return new WatchOptions(timeout, firstMatch, stream);
  }
}
