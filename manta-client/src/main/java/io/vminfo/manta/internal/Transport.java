package io.vminfo.manta.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where requests go: one attempt of one request per {@link #exchange} call. The retry engine sits
 * above it, so a transport neither signs nor retries; it only moves bytes and reports what came
 * back (any status) or why nothing usable did (a MantaException).
 */
public interface Transport extends AutoCloseable {
  /**
   * Sends {@code spec} and delivers a success body to {@code sink}. Sets {@code bodyOpened} once a
   * request body may have been read from its source, after which a one-shot body cannot be sent
   * again.
   */
  CompletableFuture<HttpExchange.Response<Object>> exchange(
      RequestSpec spec, ResponseSink<?> sink, AtomicBoolean bodyOpened);

  /**
   * Runs {@code task} after {@code delayMillis} (a retry's backoff).
   *
   * @throws java.util.concurrent.RejectedExecutionException when the transport is closed
   */
  void schedule(Runnable task, long delayMillis);

  @Override
  void close();
}
