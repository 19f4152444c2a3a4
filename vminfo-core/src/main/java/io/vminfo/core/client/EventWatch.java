package io.vminfo.core.client;

import java.io.IOException;
import java.time.Duration;

/**
 * A watch that is already listening (armed when the client returned it), so the caller can start
 * the action it waits for after arming and still never miss the event. Close it when done.
 *
 * @param <T> what the watch yields: the matching event, or the events whose changes matched
 */
public interface EventWatch<T> extends AutoCloseable {
  /** Waits up to the watch's timeout. */
  T await() throws IOException, InterruptedException;

  /**
   * Waits up to {@code timeout}. Throws {@link VminfoTimeoutException} on timeout, {@link
   * VminfoEventsLostException} when the stream had to start over with a snapshot, and {@link
   * VminfoClientException} when the watch was closed.
   */
  T await(Duration timeout) throws IOException, InterruptedException;

  /** Whether the watch has its result (or failed). */
  boolean isDone();

  @Override
  void close();
}
