package io.vminfo.core.client;

import java.time.Duration;
import java.util.Optional;

/**
 * A live {@code GET /events} subscription that reconnects by itself (capped exponential backoff
 * with jitter) and resumes with {@code since} and {@code epoch}, so a listener sees every event
 * exactly once, or is told with a new snapshot to start over. Close it to stop.
 */
public interface EventStream extends AutoCloseable {
  /** Where the stream is: the last revision seen and its epoch (empty before the first line). */
  Optional<ResumePoint> resumePoint();

  /** Whether a connection is open and has delivered its first line. */
  boolean isConnected();

  /**
   * Waits until the first snapshot (or resume) has been delivered to the listener. Returns false on
   * timeout or when the stream was closed first.
   */
  boolean awaitStarted(Duration timeout) throws InterruptedException;

  /** Stops the stream; no callback runs after this returns, except one already running. */
  @Override
  void close();
}
