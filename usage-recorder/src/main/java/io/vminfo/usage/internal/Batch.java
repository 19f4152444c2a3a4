package io.vminfo.usage.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * The encoded lines of one sample (usage records, then the summary), written to a file with one
 * write and one fsync. The array is owned by the batch and never changed.
 */
@SuppressWarnings(
    "ArrayRecordComponent") // owned, never compared: copying each sample's bytes would cost for
// nothing
public record Batch(Instant timestamp, byte[] bytes, int usageRecords) {
  public Batch {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0 || bytes[bytes.length - 1] != '\n') {
      throw new IllegalArgumentException("a batch is whole lines");
    }
  }

  public int size() {
    return bytes.length;
  }
}
