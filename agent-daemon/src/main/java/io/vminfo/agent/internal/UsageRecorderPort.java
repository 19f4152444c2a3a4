package io.vminfo.agent.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent's view of the usage recorder (usage-recorder module): started after the initial load,
 * asked for its state by {@code /status}, {@code /usage} and the metrics, and flushed on stop.
 * {@link UsageRecorders#create} decides which implementation runs.
 */
public interface UsageRecorderPort extends AutoCloseable {
  /** Starts sampling (after the store's initial load). */
  void start() throws IOException;

  /** The {@code usage} part of {@code /status}: spool, ledger, upload state. */
  ObjectNode status();

  /** The latest sample per VM as a JSON array, or empty when there is no recorder. */
  Optional<byte[]> latestSamplesJson();

  UsageCounters counters();

  /** Writes the sample in progress and seals what is due, within {@code budget}. */
  void flush(Duration budget);

  @Override
  void close();
}
