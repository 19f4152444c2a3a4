package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vminfo.usage.WaitingSamples;
import java.io.IOException;
import java.time.Duration;

/**
 * The agent's view of the usage recorder (usage-recorder module): started after the initial load,
 * asked for its state by {@code /status}, {@code /usage} and the metrics, and flushed on stop.
 * {@link UsageRecorders#create} builds it.
 */
public interface UsageRecorderPort extends AutoCloseable {
  /** Starts sampling (after the store's initial load); fails if the spool is unusable. */
  void start() throws IOException;

  /** The {@code usage} part of {@code /status}: spool, ledger, upload state. */
  ObjectNode status();

  /** The latest sample, one record per VM, as a JSON array ({@code []} before the first). */
  byte[] latestSamplesJson();

  UsageCounters counters();

  /**
   * Whether the spool's file system turned read-only under the running recorder (EROFS on its last
   * write): waiting does not help while the recorder holds its files there open.
   */
  default boolean spoolReadOnly() {
    return false;
  }

  /** After {@link #flush}: the samples taken but never written, for the next recorder. */
  default WaitingSamples takeWaiting() {
    return WaitingSamples.none();
  }

  /** Writes the sample of the interval in progress and stops, within {@code budget}. */
  void flush(Duration budget);

  @Override
  void close();
}
