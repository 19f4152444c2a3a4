package io.vminfo.usage;

import java.time.Instant;

/**
 * Hooks for metrics (e.g. Micrometer counters in the agent). Called synchronously from the
 * recorder's threads, sometimes while it holds its spool lock: implementations must be quick and
 * must not call back into the {@link UsageService}. Exceptions they throw are logged and ignored.
 * The same numbers, as running totals, are in {@link UsageStatus}.
 */
public interface UsageListener {
  /** Does nothing. */
  UsageListener NONE = new UsageListener() {};

  /** A sample reached the spool: {@code usageRecords} records plus one summary, fsynced. */
  default void sampleWritten(Instant timestamp, int usageRecords, long bytes) {}

  /** A sealed file was stored and its MD5 confirmed. */
  default void uploadSucceeded(String remotePath, long bytes) {}

  /** An upload failed; {@link ObjectStoreException#kind()} says whether it will be retried. */
  default void uploadFailed(String remotePath, ObjectStoreException error) {}

  /**
   * Un-uploaded data was thrown away (spool over its byte cap, or a backlog of unwritable samples):
   * {@code what} is a spool file or a sample timestamp.
   */
  default void dropped(String what, long bytes, String reason) {}

  /** A corrupt file (sealed file, ledger, damaged lines) was moved to {@code corrupt/}. */
  default void setAside(String file, String reason) {}
}
